"""Checkout steps that need a choice, on a real third-party store: the Oscar test shop in its
"choices" variant (tests/oscar/shopsite/choices/: two priced shipping methods, each with its own
"Select option" button, then a payment-method step with radios and "Continue").

One English scan, logged in, with no site profile and NOT as a test store: the order guard
enforces. The crawler must choose the first shipping method, send the bare payment-method
choice, and reach the review page without creating an order; every item's verdict equals the
auditor's for stock Oscar (tests/oscar/expected.csv) except where the choices change it
(tests/oscar/expected_choices.csv, one reason per item).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.oscar.oscar_site import DEFAULT_CUSTOMER as OSCAR_CUSTOMER
from tests.oscar.oscar_site import OscarSite
from tests.store_scan import expected_rows, run_scan

pytest_plugins = ["tests.oscar.fixtures"]
pytestmark = [pytest.mark.oscar, pytest.mark.browser]

HERE = Path(__file__).parent / "oscar"
SCAN_TIMEOUT_S = 300


def expected_verdicts() -> dict[str, dict[str, str]]:
    # The variant's rows override the stock shop's.
    return expected_rows(HERE / "expected.csv", HERE / "expected_choices.csv")


def order_count(site: OscarSite) -> int:
    with sqlite3.connect(site.workdir / "db.sqlite3") as db:
        return db.execute("SELECT count(*) FROM order_order").fetchone()[0]


@pytest.fixture(scope="module")
def choices_scan(oscar_build: Path, tmp_path_factory) -> dict:
    """One English scan of the variant through the CLI; its output folder and order counts."""
    workdir = tmp_path_factory.mktemp("oscar-choices")
    site = OscarSite(
        workdir / "site", customer=OSCAR_CUSTOMER, prebuilt=oscar_build, variant="choices"
    )
    with site:
        before = order_count(site)
        scan = run_scan(site.url_for("en"), workdir / "scan", OSCAR_CUSTOMER, SCAN_TIMEOUT_S)
        after = order_count(site)
    return {
        "bundle": scan.bundle,
        "verdicts": scan.verdicts,
        "exit_code": scan.exit_code,
        "output": scan.output,
        "orders": (before, after),
    }


def test_review_page_is_reached_through_both_choices_and_no_order_is_created(choices_scan):
    bundle = choices_scan["bundle"]
    assert choices_scan["exit_code"] == 1, choices_scan["output"]  # Oscar fails some items
    before, after = choices_scan["orders"]
    assert after == before
    assert bundle.manifest["run"]["incidents"] == []
    assert bundle.reached("checkout_review"), bundle.why_not_reached("checkout_review")
    assert bundle.page("checkout_review").url.endswith("/checkout/preview/")
    assert bundle.fact("order_guard")["mode"] == "enforce"
    sent = {
        row["url"].split("/", 3)[3]: row
        for row in bundle.fact("order_guard")["decisions"]
        if row["method"] == "POST" and row["stage"] == "checkout"
    }
    assert sent["checkout/shipping-method/"]["decision"] == "allowed"
    assert sent["checkout/payment-method/"]["decision"] == "allowed"
    assert sent["checkout/payment-method/"]["rule"].startswith("payment-method selection")


def test_every_option_is_recorded_with_price_and_time_and_the_first_is_chosen(choices_scan):
    bundle = choices_scan["bundle"]
    choices = bundle.fact("checkout_choices")
    assert choices["kind"] == "delivery"
    options = [(o["price_text"], o["time_text"], o["chosen"]) for o in choices["options"]]
    assert options == [("¥10.00", "3-5 working days", True), ("¥25.00", "1-2 days", False)]
    offered = bundle.fact("checkout_options")
    assert [d["price_text"] for d in offered["delivery"]] == ["¥10.00", "¥25.00"]
    assert [p["label"] for p in offered["payment"]] == ["Bank transfer", "Cash on delivery"]
    review = bundle.page("checkout_review").tree.text_content()
    assert "Standard delivery" in review and "Bank transfer" in review


def test_verdicts_equal_the_auditors(choices_scan):
    verdicts = choices_scan["verdicts"]
    expected = expected_verdicts()
    assert set(verdicts) == set(expected)
    differences = {
        item: f"{verdicts[item]['outcome']} (expected {row['outcome']}: {row['reason']}); "
        f"tool said: {verdicts[item]['reason']}"
        for item, row in expected.items()
        if verdicts[item]["outcome"] != row["outcome"]
    }
    assert differences == {}
