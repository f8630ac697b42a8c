"""Discovery only: find where a store keeps its pages and draft a site profile from it.

    from b2cect.crawler.discover import discover_sync
    result = discover_sync(ScanOptions(url="https://shop.example/", out=Path("tmp")))
    print(result.rows)                      # the reach table, as a scan writes it
    Path("shop.yaml").write_text(draft_profile(result))

It runs the scan's own journey commands and discovery (crawler/session.py, discovery.py),
only fewer of them: pages are opened, never an order, a form submission (the login form only
when credentials are in the environment) or an export download. The rows printed by
`b2cect discover` come from `scan.reach_rows()`, the same function that writes the manifest's
reach table, so a scan with the drafted profile reaches the same pages.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from .bundle import STEP_OK, BundleWriter, Step
from .controls import load_more
from .discovery import Found
from .journey_account import account_pages, login_page, password_reset_page, register_page, sign_in
from .journey_browse import cart, category_by_cards, home, nav_categories, popups, products
from .journey_info import info_pages
from .profile import load_profile
from .scan import (
    TOOL_VERSION,
    ScanOptions,
    _guarded,
    crawl_session,
    credentials_for,
    popups_fact,
    reach_rows,
    redactor_for,
    run_sync,
)
from .session import LINK_TARGETS, Crawl, NotFound, Skip, routed
from .sitemap import fill_products, finish_fact, robots_and_sitemaps

NOT_IN_DISCOVERY = "not opened by discover (needs a cart, an order or a login)"
DISCOVER_PRODUCTS = 2  # product pages to open: enough to know the product URL shape


@dataclass
class DiscoverResult:
    """What discovery found: reach rows, links seen but not opened, products and pop-ups."""

    url: str
    rows: list[dict[str, Any]]
    seen: dict[str, dict[str, Any]] = field(default_factory=dict)  # kind -> link never opened
    products: list[str] = field(default_factory=list)
    search_box: str = ""  # how the search field was found, "" when none
    popups: list[dict[str, str]] = field(default_factory=list)
    logged_in: bool = False
    sitemap: dict[str, Any] = field(default_factory=dict)  # the `sitemap` fact (robots, files)

    def found(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["status"] == STEP_OK]

    def missing(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["status"] != STEP_OK]


def discover_sync(opts: ScanOptions) -> DiscoverResult:
    return run_sync(discover(opts))


async def discover(opts: ScanOptions) -> DiscoverResult:
    """Open the store's pages the way a scan would, writing nothing but a throw-away bundle."""
    profile = load_profile(opts.profile)
    creds = credentials_for(opts)
    with tempfile.TemporaryDirectory(prefix="b2cect-discover-") as tmp:
        opts = replace(opts, out=Path(tmp) / "bundle")
        writer = BundleWriter(
            opts.out,
            store={"url": opts.url, "name": "", "demo": None, "is_test_store": False},
            tool={"name": "b2cect", "version": TOOL_VERSION},
        )
        async with crawl_session(opts, profile, writer, redactor_for(creds)) as (crawl, _info):
            crawl.state["allow_order"] = False
            await discovery_journey(crawl, opts, creds)
            popups_fact(writer, crawl)
            finish_fact(crawl)
            return DiscoverResult(
                url=opts.url,
                rows=reach_rows(crawl, NOT_IN_DISCOVERY),
                seen=_links_seen(crawl),
                products=[
                    s.final_url or s.url
                    for s in writer.steps
                    if s.kind == "product" and s.status == STEP_OK
                ],
                search_box=crawl.state.get("search_box", ""),
                popups=list((writer.facts.get("popups") or {}).get("dismissed", [])),
                logged_in=crawl.logged_in,
                sitemap=dict(writer.facts.get("sitemap") or {}),
            )


async def discovery_journey(c: Crawl, opts: ScanOptions, creds: tuple[str, str] | None) -> None:
    """The scan's journey without anything that changes the store: no cart add, no checkout,
    no search submission, no order actions or export downloads."""
    parts: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
        ("sitemap", lambda: robots_and_sitemaps(c)),
        ("home", lambda: home(c)),
        ("popups", lambda: popups(c)),
        ("search_box", lambda: _search_box(c)),
        ("listing", lambda: c.step("listing", _open_listing(c))),
        ("product", lambda: _products(c)),
        ("cart", lambda: cart(c)),
        ("login", lambda: login_page(c)),
        ("register", lambda: register_page(c)),
        ("password_reset", lambda: password_reset_page(c)),
        ("sign_in", lambda: sign_in(c, creds, opts.login_env)),
        ("account", lambda: account_pages(c)),
        ("orders", lambda: _logged_in_page(c, "orders")),
        ("returns", lambda: _logged_in_page(c, "returns")),
        ("info", lambda: info_pages(c)),
    ]
    for name, run in parts:
        await _guarded(c, name, run)


async def _products(c: Crawl) -> None:
    fill_products(c)  # sitemap product URLs, only when no page visited linked to a product
    await products(c, DISCOVER_PRODUCTS)


def _open_listing(c: Crawl):
    """The best listing link of the home page (as the scan's listings() ranks them), opened;
    its product links join those of the home page."""

    async def action(step: Step) -> None:
        found = await c.pinned("listing")
        if found is None:
            cands = [x for x in c.state.get("home_cands") or [] if x.href]
            ranked = c.vocab.rank("listing", cands, c.origin)
            found = next((f for f in ranked if f.url.rstrip("/") != c.start_url.rstrip("/")), None)
        pooled = c.pool.get("listing")  # e.g. a category page only the sitemap lists
        if found is None and pooled and pooled.url.rstrip("/") != c.start_url.rstrip("/"):
            found = pooled
        if found is None:
            guesses = nav_categories(c, c.state.get("home_cands") or [])
            if guesses:  # short navigation words ("Kitchen"): the one leading to product cards
                await category_by_cards(c, guesses)(step)
                return
            raise NotFound("no listing/category link found on the home page")
        step.found_by, step.confidence = found.found_by, found.confidence
        await c.goto(found.url, step)
        await load_more(c)
        more = c.vocab.product_links(await c.candidates(context=True), c.origin)
        known = {f.url for f in c.state.get("products", [])}
        c.state.setdefault("products", []).extend(f for f in more if f.url not in known)

    return action


async def _search_box(c: Crawl) -> None:
    """Where the search field is (not typed into, not submitted)."""
    pin = c.profile.pin("search")
    if pin and pin.selector:
        c.state["search_box"] = f"profile selector {pin.selector}"
        return
    boxes = [f for f in await c.fields() if f["cls"] == "search" and f["visible"]]
    if boxes:
        box = boxes[0]
        c.state["search_box"] = (
            f"search field '{box['name'] or box['id'] or box['placeholder']}' ({box['stable']})"
        )


async def _logged_in_page(c: Crawl, kind: str) -> None:
    """A customer's page (order history, returns): opened only when logged in."""

    async def action(step: Step) -> None:
        if not c.logged_in:
            raise Skip("not logged in")
        found = await c.find(kind, links_only=True, use_pool=True)
        if found is None:
            raise NotFound(f"no {kind.replace('_', ' ')} link found")
        step.found_by, step.confidence = found.found_by, found.confidence
        await c.goto(found.url, step)
        await c.candidates()

    await c.step(kind, action, capture="page" if c.logged_in else "none")


def _links_seen(c: Crawl) -> dict[str, dict[str, Any]]:
    """Links discovery saw for a page kind it did not reach (e.g. checkout from the cart)."""
    reached = {k for k, row in c.reach.items() if row["status"] == STEP_OK}
    seen: dict[str, dict[str, Any]] = {}
    for kind, found in c.pool.items():
        if kind in reached or not isinstance(found, Found) or not found.url:
            continue
        seen[kind] = {
            "url": c.redactor.text(found.url, True),
            "found_by": found.found_by,
            "confidence": found.confidence,
        }
    return seen


# --- the draft profile ---------------------------------------------------------------------


def draft_profile(result: DiscoverResult, command: str = "") -> str:
    """A site profile (docs/site-profile.md) pinning what discovery found, with comments."""
    lines = [
        f"# b2cect site profile drafted by `b2cect discover` for {result.url}",
        *([f"# command: {command}"] if command else []),
        "#",
        "# Each pinned URL below is what discovery found; the comment gives its confidence (0-1)",
        "# and how it was found. Check them in a browser: fix a wrong one, delete a line to let",
        "# the scan discover that page again, fill in a commented placeholder for a page",
        "# discovery missed, or write `{skip: true}` to leave a step out.",
        "# All keys: docs/site-profile.md.",
        "#",
        f"# Use it:   b2cect scan {result.url} --profile THIS_FILE",
        "# Credentials never go in here: B2CECT_LOGIN_USER / B2CECT_LOGIN_PASSWORD (--login-env).",
        "",
        "name: " + _yaml_scalar(_host(result.url)),
        "# A test/staging store? Only then, and only with --place-order, does a scan place and",
        "# pay an order. Never set this for a real shop.",
        "test_store: false",
        "",
    ]
    lines.append("# Product pages discovery opened (the scan opens these first).")
    if result.products:
        lines.append("products:")
        lines.extend(f"  - {_yaml_scalar(u)}" for u in dict.fromkeys(result.products))
    else:
        lines.append("# products:\n#   - https://...   # no product page was found")
    lines.append("")
    lines.append("steps:")
    by_kind = {r["kind"]: r for r in result.rows}
    found = [by_kind[k] for k in LINK_TARGETS if k in by_kind and _reached(by_kind[k])]
    for row in found:
        via = click_path(row, result.url)
        pin = f"{{via: {_yaml_scalar(via)}}}" if via else _yaml_scalar(row["url"])
        lines.append(
            f"  {row['kind']}: {pin}"
            f"  # confidence {row['confidence']:.2f}, found by {_comment(row['found_by'])}"
        )
    missing = [by_kind[k] for k in LINK_TARGETS if k in by_kind and not _reached(by_kind[k])]
    if missing:
        lines.append("  # Not found or not opened - fill in the URL when the store has the page:")
    for row in missing:
        kind = row["kind"]
        seen = result.seen.get(kind)
        why = _comment(row["note"] or row["status"])
        if seen:
            lines.append(
                f"  # {kind}: {_yaml_scalar(seen['url'])}  # link seen, not opened"
                f" (confidence {seen['confidence']:.2f}, {_comment(seen['found_by'])}); {why}"
            )
        else:
            lines.append(f"  # {kind}: /path/   # {why}")
    if result.search_box:
        lines.append(f'  # search: {{selector: "..."}}   # found by itself: {result.search_box}')
    else:
        lines.append('  # search: {selector: "input[name=q]"}   # no search box found: pin it')
    if not found:
        lines.append("  {}")
    text = "\n".join(lines) + "\n"
    yaml.safe_load(text)  # a draft that does not parse is a bug here, not the user's problem
    return text


def click_path(row: dict[str, Any], start_url: str) -> str:
    """The click path to pin for a page reached by clicks that has no URL of its own (a
    mini-cart drawer or a menu shown over the start page): found_by without its scoring note.
    "" when the page has its own URL (pinned as such) or was not reached by clicks."""
    path = re.sub(r"\s*\([^()]*\)$", "", row.get("found_by") or "").strip()
    if not path.startswith("click '"):
        return ""
    url = row.get("url") or ""
    return "" if url and routed(start_url, url) else path


def _reached(row: dict[str, Any]) -> bool:
    return row["status"] == STEP_OK and bool(row["url"])


def _yaml_scalar(value: str) -> str:
    """A YAML scalar on one line (quoted when needed)."""
    return (
        yaml.safe_dump(value, default_style=None, width=10_000, allow_unicode=True)
        .split("\n")[0]
        .removesuffix(" ...")
        if value
        else "''"
    )


def _comment(text: str) -> str:
    return " ".join(str(text).split())[:120]


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc or url
