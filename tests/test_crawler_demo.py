"""End-to-end: scan both demo sellers once each and check the bundles against the contract."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from b2cect.crawler.bundle import Bundle
from b2cect.crawler.scan import ScanOptions, scan_sync

pytestmark = pytest.mark.browser

demo = pytest.importorskip("b2cect.demo")

# Every page kind the demo store offers a customer (the compliant seller has them all).
DEMO_KINDS = (
    "home",
    "listing",
    "search",
    "product",
    "cart",
    "checkout",
    "checkout_review",
    "payment",
    "payment_result",
    "order_confirmation",
    "login",
    "register",
    "password_reset",
    "account",
    "profile",
    "addresses",
    "favourites",
    "orders",
    "order_detail",
    "order_print",
    "orders_print",
    "returns",
    "help",
    "payment_help",
    "delivery_help",
    "after_sales",
    "privacy",
    "terms",
    "about",
    "licence",
    "contact",
    "complaint",
    "notices",
)
# What the noncompliant seller does not have (SELLERS.md), so the crawler cannot reach it.
NONCOMPLIANT_MISSING = {"favourites", "order_print", "orders_print", "licence", "payment_help"}
FACTS = (
    "timings",
    "links",
    "search",
    "listing_controls",
    "cart_add",
    "cart_edit",
    "cart_persist",
    "checkout_form",
    "checkout_validation",
    "address_cascade",
    "checkout_options",
    "order_place",
    "payment_attempt",
    "one_click",
    "login",
    "registration",
    "order_history",
    "order_export",
    "print_view",
    "order_actions",
    "return_request",
    "cancel_attempt",
    "password_reset",
    "profile",
    "addresses",
    "structured_data",
    "products_seen",
    "popups",
    "language",
)


@pytest.fixture(scope="module")
def compliant(demo_scan) -> Bundle:
    return demo_scan("compliant").bundle


@pytest.fixture(scope="module")
def noncompliant(demo_scan) -> Bundle:
    return demo_scan("noncompliant").bundle


@pytest.fixture(scope="module")
def pinned_404(tmp_path_factory) -> Bundle:
    """A short journey whose profile pins a page that does not exist: that one step must fail,
    the rest go on."""
    profile = tmp_path_factory.mktemp("profile") / "profile.yaml"
    skipped = ("listing", "search", "product", "cart", "checkout", "orders", "account", "help")
    profile.write_text(
        "steps:\n  licence: /no-such-page/\n"
        + "".join(f"  {kind}: {{skip: true}}\n" for kind in skipped),
        encoding="utf-8",
    )
    with demo.DemoStore("noncompliant") as store:
        path = scan_sync(
            ScanOptions(
                url=store.url,
                out=tmp_path_factory.mktemp("pinned"),
                demo="noncompliant",
                profile=profile,
                credentials=(demo.DEMO_USER, demo.DEMO_PASSWORD),
            )
        )
    return Bundle(path)


def test_compliant_reaches_every_demo_page_kind(compliant):
    missing = [k for k in DEMO_KINDS if not compliant.reached(k)]
    assert missing == [], {k: compliant.why_not_reached(k) for k in missing}
    reach = {row["kind"]: row for row in compliant.manifest["reach"]}
    for kind in DEMO_KINDS:
        assert reach[kind]["status"] == "ok" and reach[kind]["found_by"], reach[kind]
        assert 0 < reach[kind]["confidence"] <= 1


def test_noncompliant_reaches_what_exists(noncompliant):
    for kind in DEMO_KINDS:
        assert noncompliant.reached(kind) == (kind not in NONCOMPLIANT_MISSING), (
            kind,
            noncompliant.why_not_reached(kind),
        )


def test_a_failing_step_does_not_end_the_scan(pinned_404):
    licence = pinned_404.steps_of("licence")[0]
    assert licence.status == "failed" and "HTTP 404" in licence.error
    assert licence.found_by == "profile" and licence.screenshot
    later = [
        s
        for s in pinned_404.steps[pinned_404.steps.index(licence) + 1 :]
        if s.kind in ("contact", "complaint", "notices")
    ]
    assert [s.status for s in later] == ["ok", "ok", "ok"]


@pytest.mark.parametrize("seller", ["compliant", "noncompliant"])
def test_facts_follow_the_contract(seller, request):
    bundle: Bundle = request.getfixturevalue(seller)
    for name in FACTS:
        assert isinstance(bundle.fact(name), dict), name
    assert bundle.fact("login")["status"] == "ok"
    assert bundle.fact("cart_add")["added"] and bundle.fact("cart_add")["cart_contains"]
    edit = bundle.fact("cart_edit")
    assert edit["changed"] and edit["total_before"] != edit["total_after"]
    assert bundle.fact("cart_persist")["preserved"]
    placed = bundle.fact("order_place")
    assert placed["attempted"] and placed["placed"] and placed["order_ref"]
    pay = bundle.fact("payment_attempt")
    assert pay["declined_step"] and pay["retry_offered"] and pay["result_step"]
    assert bundle.fact("return_request")["submitted"]
    tags = {t for p in bundle.pages("product") for t in p.step.tags}
    assert {"in_stock", "out_of_stock"} <= tags
    for page in bundle.pages():
        assert page.html and (bundle.root / page.screenshot).is_file()
    assert all(p["load"] > 0 for p in bundle.fact("timings")["pages"])


def test_compliant_history_export_and_probes(compliant):
    history = compliant.fact("order_history")
    first, last = date.fromisoformat(history["earliest"]), date.fromisoformat(history["latest"])
    assert last.year - first.year >= 2, history  # three calendar years
    export = compliant.fact("order_export")["files"][0]
    assert export["office_format"] and export["rows"] >= history["count"] - 1
    assert export["earliest"] == history["earliest"]
    assert (compliant.root / export["path"]).is_file()
    assert compliant.fact("address_cascade")["works"]
    assert compliant.fact("address_cascade")["districts"]
    validation = compliant.fact("checkout_validation")
    assert validation["page_messages"] and validation["bad_mobile_accepted"] is False
    assert compliant.fact("cancel_attempt")["confirmed"]
    assert compliant.fact("print_view")["order"]["found"]
    boxes = compliant.fact("registration")["consent_boxes"]
    assert boxes and not any(b["default_checked"] for b in boxes)
    assert compliant.fact("language")["switcher_found"]


def test_noncompliant_findings(noncompliant):
    boxes = noncompliant.fact("registration")["consent_boxes"]
    assert boxes and all(b["default_checked"] for b in boxes)
    html = noncompliant.page("register").html
    assert html.count('data-b2cect-default-checked="1"') >= 3
    assert noncompliant.fact("checkout_validation")["bad_mobile_accepted"] is True
    assert noncompliant.fact("checkout_validation")["page_messages"] == []
    broken = {b["url"].rsplit("/", 1)[-1] for b in noncompliant.fact("links")["broken"]}
    assert {"payment", "invoice"} <= broken
    assert noncompliant.fact("search")["result_count"] == 0
    assert noncompliant.fact("order_export")["files"][0]["office_format"] is False
    assert noncompliant.fact("cancel_attempt")["status"] == "blocked"
    assert noncompliant.fact("language")["switcher_found"] is False
    cascade = noncompliant.fact("address_cascade")
    assert cascade["province_select"] is False and cascade["works"] is False
    # Orders in several states were opened (a courier only shows once an order has shipped).
    assert len({p.step.tags[0] for p in noncompliant.pages("order_detail")[1:]}) >= 3


@pytest.mark.parametrize("seller", ["compliant", "noncompliant"])
def test_no_credentials_or_customer_data_in_bundle(seller, request):
    bundle: Bundle = request.getfixturevalue(seller)
    # The demo customer's login, password and own mobile number (from the demo's address book).
    secrets = [demo.DEMO_USER, demo.DEMO_PASSWORD, "demo%40example.com", "13800001234"]
    for path in bundle.root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in secrets:
                assert secret.encode() not in data, (path, secret)
    assert "[redacted]" in bundle.page("profile").html


@pytest.mark.parametrize("seller", ["compliant", "noncompliant"])
def test_bundle_is_sealed(seller, request, tmp_path):
    bundle: Bundle = request.getfixturevalue(seller)
    assert bundle.verify() == []
    assert bundle.manifest["browser"]["version"] and bundle.manifest["store"]["demo"] == seller
    copy = Bundle(shutil.copytree(bundle.root, tmp_path / "copy"))
    (copy.root / "pages" / "home.html").write_text("tampered", encoding="utf-8")
    assert copy.verify() == ["altered: pages/home.html"]


def test_reset_request_for_the_scans_own_account_is_answered(compliant, noncompliant):
    """The crawler sends the reset form once, for the login it was given, and records the
    store's answer; the identity itself never reaches the bundle (see the test above)."""
    good = compliant.fact("password_reset")["attempt"]
    assert good["status"] == "success" and "重置链接已发送" in good["message"], good
    assert "[redacted]" in good["message"]  # the demo echoes the address: masked in the fact
    submit = next(s for s in compliant.steps if s.id == good["step"])
    assert submit.kind == "password_reset_submit" and submit.status == "ok" and submit.screenshot
    bad = noncompliant.fact("password_reset")["attempt"]
    assert bad["status"] == "error" and "SMTP connect() failed" in bad["message"], bad


def test_profile_edit_form_is_followed_and_saved(compliant):
    """The demo's profile page only shows the details; its 修改资料 link opens the form."""
    profiles = compliant.pages("profile")
    assert len(profiles) == 2, [p.step.url for p in profiles]
    edit = profiles[1]
    assert edit.step.final_url.endswith("/account/profile/edit")
    assert compliant.fact("profile")["edit_step"] == edit.step.id
    assert 'name="nickname"' in edit.html and "[redacted]" in edit.html


def test_every_product_card_is_recorded_and_a_risk_product_opened(compliant):
    from b2cect.checks.pre_sale import SAFETY_RISK

    cards = compliant.fact("products_seen")["products"]
    assert len(cards) >= 8 and all(c["name"] and c["url"] and c["step"] for c in cards)
    assert any(c["state"] == "out_of_stock" for c in cards)
    names = [
        p.step.title + " " + (p.tree.findtext(".//h1") or "") for p in compliant.pages("product")
    ]
    assert any(SAFETY_RISK.search(n) for n in names), names
