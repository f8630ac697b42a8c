"""`b2cect discover` and single-page storefronts.

Discovery runs the scan's own journey commands, so these tests drive real stores on loopback:
the Chinese demo store (server-rendered) and tests/spa_store (a client-routed app whose
products arrive by XHR after the load event, with lazy images and first-visit pop-ups).
"""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
import yaml
from b2cect.crawler.bundle import Bundle
from b2cect.crawler.discover import DiscoverResult, draft_profile
from b2cect.crawler.profile import load_profile
from b2cect.crawler.scan import ScanOptions, scan_sync
from click.testing import CliRunner

from b2cect.cli import main
from tests.spa_store import PRODUCTS, SpaStore

MAIN_STEPS = ("home", "listing", "product", "cart", "login")


def run_discover(url: str, out: Path, *extra: str) -> tuple[str, dict]:
    result = CliRunner().invoke(main, ["discover", url, "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result.output, yaml.safe_load(out.read_text(encoding="utf-8"))


def table_rows(output: str) -> dict[str, list[str]]:
    """The printed reach table as {kind: [found, conf, url, ...]}."""
    rows = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1] in ("yes", "no") and line.startswith("  "):
            rows[parts[0]] = parts[1:]
    return rows


# --- the draft profile, without a browser ----------------------------------------------------


def row(kind: str, status: str = "ok", url: str = "", note: str = "", **kw) -> dict:
    return {
        "kind": kind,
        "status": status,
        "url": url,
        "found_by": kw.get("found_by", "link text 'x'"),
        "confidence": kw.get("confidence", 0.9),
        "note": note,
        "step": kw.get("step", f"{kind}-1"),
    }


def test_draft_profile_pins_found_pages_and_comments_the_missing(tmp_path):
    result = DiscoverResult(
        url="https://shop.example/",
        rows=[
            row("home", url="https://shop.example/"),
            row("cart", url="https://shop.example/cart#top", found_by="link text '购物车'"),
            row("privacy", status="blocked", note="no privacy link found"),
            row("orders", status="skipped", note="not logged in"),
        ],
        seen={
            "orders": {"url": "https://shop.example/my/orders", "found_by": "x", "confidence": 0.8}
        },
        products=["https://shop.example/p/1"],
    )
    text = draft_profile(result)
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    profile = load_profile(path)
    assert profile.test_store is False
    assert profile.pin("cart").url == "https://shop.example/cart#top"
    assert profile.products == ["https://shop.example/p/1"]
    assert profile.pin("privacy") is None and profile.pin("home") is None
    assert "# privacy: /path/   # no privacy link found" in text
    assert "# orders: https://shop.example/my/orders  # link seen, not opened" in text
    assert "confidence 0.90, found by link text '购物车'" in text
    assert "scan https://shop.example/ --profile" in text


def test_draft_profile_with_nothing_found_still_loads(tmp_path):
    result = DiscoverResult(url="https://shop.example/", rows=[row("cart", "blocked")])
    path = tmp_path / "p.yaml"
    path.write_text(draft_profile(result), encoding="utf-8")
    assert load_profile(path).steps == {}


def test_draft_profile_pins_a_click_path_where_the_page_has_no_url_of_its_own(tmp_path):
    start = "https://shop.example/"
    path = "click 'Cart' icon in header \u2192 link '查看购物车'"
    rows = [
        # A mini-cart drawer over the start page: only the clicks lead to it.
        row("cart", url=start, found_by=f"{path} (text '查看购物车')"),
        # Reached by clicks too, but with a URL (a hash route) that is the better pin.
        row("orders", url=start + "#/orders", found_by="click 'Account' icon in header"),
    ]
    text = draft_profile(DiscoverResult(url=start, rows=rows))
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    profile = load_profile(tmp_path / "p.yaml")
    assert profile.pin("cart").via == path and profile.pin("cart").url == ""
    assert profile.pin("orders").url == start + "#/orders" and not profile.pin("orders").via


# --- live stores --------------------------------------------------------------------------


@pytest.mark.browser
def test_discover_demo_store_finds_main_steps_and_profile_reaches_same_pages(tmp_path):
    from b2cect.demo import DemoStore

    with DemoStore("compliant") as store:
        output, data = run_discover(store.url, tmp_path / "demo.yaml")
        rows = table_rows(output)
        for kind in (*MAIN_STEPS, "register", "password_reset", "help", "privacy"):
            assert rows[kind][0] == "yes", output
        assert data["test_store"] is False
        assert data["steps"]["cart"].endswith("/cart")
        assert data["products"]
        assert "Not found:" in output and "orders" in output.split("Not found:")[1]
        # The draft loads, and a scan with it reaches the pinned pages, found by the profile.
        profile = load_profile(tmp_path / "demo.yaml")
        bundle = Bundle(
            scan_sync(
                ScanOptions(url=store.url, out=tmp_path / "scan", profile=tmp_path / "demo.yaml")
            )
        )
    reach = {r["kind"]: r for r in bundle.manifest["reach"]}
    for kind, pin in profile.steps.items():
        assert reach[kind]["status"] == "ok", reach[kind]
        assert reach[kind]["url"] == pin.url
        assert reach[kind]["found_by"] == "profile"
    products = [s.final_url for s in bundle.steps_of("product")]
    assert products[: len(profile.products)] == profile.products


@pytest.mark.browser
def test_discover_spa_store_finds_home_listing_product_cart_login(tmp_path):
    with SpaStore() as store:
        output, data = run_discover(store.url, tmp_path / "spa.yaml")
    rows = table_rows(output)
    for kind in MAIN_STEPS:
        assert rows[kind][0] == "yes", output
    assert rows["listing"][2].endswith("/products")
    assert rows["product"][2].rsplit("/", 1)[-1] in {str(p["id"]) for p in PRODUCTS}
    assert data["steps"]["login"].endswith("/login")
    assert all("/product/" in u for u in data["products"])
    assert "pop-ups closed:" in output


@pytest.mark.browser
def test_discover_spa_without_deep_links_routes_inside_the_app(tmp_path):
    """The server answers only "/": pages are reached through the app's own router."""
    with SpaStore(deep_links=False) as store:
        output, _ = run_discover(store.url, tmp_path / "spa.yaml")
    rows = table_rows(output)
    for kind in ("listing", "product", "cart", "login"):
        assert rows[kind][0] == "yes", output


@pytest.mark.browser
def test_scan_spa_records_popups_and_captures_xhr_products_and_lazy_images(tmp_path):
    with SpaStore() as store:
        bundle = Bundle(scan_sync(ScanOptions(url=store.url, out=tmp_path / "b", max_products=2)))
    dismissed = bundle.fact("popups")["dismissed"]
    texts = {d["text"] for d in dismissed}
    assert {"接受", "×"} <= texts or {"接受", "关闭"} <= texts, dismissed
    for entry in dismissed:
        assert entry["step"] and entry["selector"]
    listing = bundle.pages("listing")[0]
    tree = lxml.html.document_fromstring(listing.html)
    names = [n.strip() for n in tree.xpath("//li[@class='product-card']/a/text()")]
    assert sorted(names) == sorted(p["name"] for p in PRODUCTS)
    assert "加载中" not in " ".join(tree.xpath("//main//text()"))
    # Every lazy picture, also those below the first screen, got its real source.
    imgs = tree.xpath("//img[contains(@class, 'lazy')]")
    assert len(imgs) == len(PRODUCTS)
    assert all(img.get("src", "").endswith(".svg") for img in imgs)
    product = bundle.pages("product")[0]
    assert "加入购物车" in product.html
    assert bundle.fact("cart_add")["added"] is True
    assert bundle.reached("cart")
