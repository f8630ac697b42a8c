"""Which journey parts a set of items needs: the plan of a fast `b2cect check ID URL`.

An item needs what its catalogue row `requires` (page kinds, "fact:<name>", "login") plus what
its check also reads when it is there (help and policy pages consulted as further evidence,
facts read beside the required page): `ALSO_READS`. crawler/scan.py `plan_parts` turns these
into journey parts with everything they depend on. tests/test_plan.py keeps `ALSO_READS`
honest: it records what every check reads from the saved demo bundles.
"""

from __future__ import annotations

from collections.abc import Iterable

from b2cect.checks.registry import LOGIN, Item, catalogue
from b2cect.crawler.scan import ACCOUNT_GIVES, ORDERS_GIVES, plan_parts

# "the store's own help and policy pages" (the `info` journey part records them all).
HELP = "help"

# What a check reads beyond its catalogue `requires`. Checks that look for something on
# "any page" (contact channels, licence, price protection) read the help pages too, since a
# full scan would show them those.
ALSO_READS: dict[str, tuple[str, ...]] = {
    "6.1.1.a": (HELP, "listing", "product"),
    "6.1.1.c": ("fact:language",),
    "6.1.1.e": ("fact:links", "fact:search"),
    "6.1.2.a": (HELP,),
    "6.1.2.b": (HELP,),
    "6.1.2.c": (HELP,),
    "6.1.2.d": (HELP, "fact:links"),
    # Conditional parts are judged against every product seen: listing and search cards too.
    "6.1.3.f": ("fact:products_seen", "fact:search"),
    "6.1.3.g": ("fact:products_seen", "fact:search"),
    "6.1.4": ("fact:listing_controls", "search"),
    "6.2.1.1": ("fact:cart_add",),
    "6.2.1.2": ("fact:products_seen", "fact:search"),
    "6.2.1.3": (HELP, "checkout"),
    "6.2.1.4": ("fact:cart_edit", "fact:cart_persist"),
    "6.2.1.5": (HELP, "cart"),
    "6.2.4.1.b": (HELP,),
    "6.2.4.1.c": (HELP,),
    "6.2.4.1.d": (HELP,),
    "6.2.4.1.f": (HELP,),
    "6.2.4.1.g": (HELP,),
    "6.2.4.1.h": (HELP, "addresses"),
    "6.2.4.1.i": (HELP,),
    "6.2.4.1.j": (HELP,),
    "6.2.4.1.k": (HELP,),
    "6.2.4.2": ("fact:one_click",),
    "6.2.5.1": (HELP, "product", "checkout"),
    "6.2.5.2": (HELP,),
    "6.2.5.3": (HELP, "checkout", "fact:links"),
    "6.2.5.4": ("fact:payment_attempt",),
    "6.2.6.1": (HELP, "fact:order_place"),
    "6.2.6.2": (HELP, "checkout", "orders"),
    "6.3.1.a": ("fact:order_history",),
    "6.3.1.c": (HELP, "orders"),
    "6.3.2.1": (HELP, "checkout", "orders"),
    "6.3.2.2": (HELP, "orders"),
    "6.3.2.3": (HELP, "product"),
    "6.3.3.1": (HELP, "checkout"),
    "6.3.3.2": (HELP, "checkout", "orders"),
    "6.3.4.1": (HELP, "product", "orders"),
    "6.3.4.2": (HELP,),
    "6.3.4.3": ("orders",),
    "6.3.4.4": (HELP,),
    "6.3.4.5": (HELP, "product", "search", "fact:links", "returns"),
    "6.4.1.a": (HELP, "login", "register", "checkout"),
    "6.4.1.b": ("register", "checkout"),
    "6.4.1.c": ("login", "fact:password_reset"),
    "6.4.1.d": ("checkout", "addresses"),
    "6.4.3.a": (HELP,),
    "6.4.3.b": (HELP,),
    "6.4.3.c": (HELP,),
    "6.4.3.d": (HELP,),
    "6.4.4": (HELP,),
    "6.4.5": ("orders",),
    "6.5.1": (HELP,),
    "6.5.2.a": (HELP,),
    "6.5.2.b": (HELP, "account", "register"),
    "6.5.2.c": (HELP,),
    "6.5.3.a": ("cart", "fact:cart_edit", "fact:cart_persist", "orders"),
    "6.5.4.b": ("fact:login",),
    "6.5.5.b": ("login", "password_reset"),
    "6.5.5.c": (HELP,),
}


def needs_of(item: Item) -> tuple[str, ...]:
    """Page kinds and facts the item's check reads ("login" becomes the `login` fact, which
    the sign-in part records)."""
    required = tuple("fact:login" if need == LOGIN else need for need in item.requires)
    return required + ALSO_READS.get(item.id, ())


def parts_for(items: Iterable[Item]) -> list[str]:
    """The journey parts (in journey order) that give these items what they read."""
    needs = ["home"]  # every scan opens the store first, and every check may read it
    for item in items:
        needs.extend(needs_of(item))
    return plan_parts(needs)


# Product pages visited when the items read none themselves (a product is only the way to the
# cart): two, so the cart-persistence probe still has another product to browse away to.
PRODUCTS_ON_THE_WAY = 2


def product_pages_for(items: Iterable[Item], limit: int) -> int:
    """How many product pages the plan visits: `limit` when an item reads product pages."""
    reads_products = any(
        need in ("product", "fact:structured_data") for item in items for need in needs_of(item)
    )
    return limit if reads_products else min(limit, PRODUCTS_ON_THE_WAY)


def needs_account(item: Item) -> bool:
    """The item is judged on the account area (behind the customer's login): its own
    requirements name the login or a page only a signed-in customer sees."""
    behind_login = {"fact:login", *ACCOUNT_GIVES, *ORDERS_GIVES}
    required = ("fact:login" if need == LOGIN else need for need in item.requires)
    return any(need in behind_login for need in required)


def account_items(items: Iterable[Item] | None = None) -> list[Item]:
    return [i for i in (catalogue().values() if items is None else items) if needs_account(i)]
