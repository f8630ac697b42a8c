"""The plan of a single-item check: which journey parts give an item what its check reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from b2cect.checks import registry
from b2cect.crawler import scan
from b2cect.crawler.bundle import Bundle

from b2cect import plan

BUNDLES = Path(__file__).resolve().parents[1] / "fixtures" / "bundles"


class ReadRecorder(Bundle):
    """A bundle that notes every page kind and fact a check asks for."""

    def __init__(self, root: Path):
        super().__init__(root)
        self.read: set[str] = set()

    def steps_of(self, *kinds: str):
        self.read.update(kinds)
        return super().steps_of(*kinds)

    def fact(self, name: str):
        self.read.add(f"fact:{name}")
        return super().fact(name)


def gives(parts: list[str]) -> set[str]:
    return {g for p in scan.JOURNEY if p.name in parts for g in p.gives}


@pytest.mark.parametrize("seller", ["compliant", "noncompliant"])
def test_every_check_reads_only_what_its_plan_gives(seller):
    bundle = ReadRecorder(BUNDLES / seller)
    gaps = {}
    for item in registry.select():
        bundle.read.clear()
        registry.checks()[item.id](bundle)
        missing = bundle.read - gives(plan.parts_for([item]))
        if missing:
            gaps[item.id] = sorted(missing)
    assert gaps == {}, "add these to b2cect/plan.py ALSO_READS"


def test_a_page_item_plans_only_the_pages_it_needs():
    items = registry.catalogue()
    assert plan.parts_for([items["6.1.3.a"]]) == ["sitemap", "home", "listing", "product"]
    assert plan.parts_for([items["6.4.3.a"]]) == ["sitemap", "home", "info"]
    checkout = plan.parts_for([items["6.2.2.1"]])
    assert checkout.index("cart_add") < checkout.index("cart") < checkout.index("checkout")
    assert "orders" not in checkout and "info" not in checkout
    assert plan.parts_for([items["6.5.4.a"]])[-2:] == ["account", "orders"]


def test_every_part_is_reached_from_the_catalogue_and_in_journey_order():
    names = [p.name for p in scan.JOURNEY]
    assert plan.parts_for(registry.select()) == names
    for part in scan.JOURNEY:
        assert all(names.index(dep) < names.index(part.name) for dep in part.needs), part.name


def test_an_unknown_need_is_refused():
    with pytest.raises(KeyError, match="no journey part records"):
        scan.plan_parts(["fact:nothing_writes_this"])


def test_account_items_are_those_behind_the_login():
    ids = {i.id for i in plan.account_items()}
    assert {"6.5.4.a", "6.5.5.a", "6.3.1.b", "6.4.2"} <= ids
    assert not ids & {"6.1.3.a", "6.2.2.1", "6.4.3.a"}


def test_product_pages_are_few_when_only_on_the_way_to_the_cart():
    items = registry.catalogue()
    assert plan.product_pages_for([items["6.1.3.a"]], 6) == 6  # reads the product pages
    assert plan.product_pages_for([items["6.2.2.1"]], 6) == plan.PRODUCTS_ON_THE_WAY
    assert plan.product_pages_for([items["6.2.2.1"], items["6.1.5"]], 5) == 5
    assert plan.product_pages_for([items["6.2.2.1"]], 1) == 1
