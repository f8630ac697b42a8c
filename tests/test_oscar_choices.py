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

import csv
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from b2cect.crawler.bundle import Bundle

from tests.oscar.oscar_site import DEFAULT_CUSTOMER as OSCAR_CUSTOMER
from tests.oscar.oscar_site import OscarSite

pytest_plugins = ["tests.oscar.fixtures"]
pytestmark = [pytest.mark.oscar, pytest.mark.browser]

HERE = Path(__file__).parent / "oscar"
B2CECT = Path(sys.executable).with_name("b2cect")
SCAN_TIMEOUT_S = 300


def expected_verdicts() -> dict[str, dict[str, str]]:
    rows = {}
    for name in ("expected.csv", "expected_choices.csv"):  # the variant's rows override
        with (HERE / name).open(encoding="utf-8", newline="") as handle:
            rows.update({row["id"]: row for row in csv.DictReader(handle)})
    return rows


def order_count(site: OscarSite) -> int:
    with sqlite3.connect(site.workdir / "db.sqlite3") as db:
        return db.execute("SELECT count(*) FROM order_order").fetchone()[0]


@pytest.fixture(scope="module")
def choices_scan(oscar_build: Path, tmp_path_factory) -> dict:
    """One English scan of the variant through the CLI; its output folder and order counts."""
    workdir = tmp_path_factory.mktemp("oscar-choices")
    env = {
        **os.environ,
        "B2CECT_LOGIN_USER": OSCAR_CUSTOMER[0],
        "B2CECT_LOGIN_PASSWORD": OSCAR_CUSTOMER[1],
    }
    site = OscarSite(
        workdir / "site", customer=OSCAR_CUSTOMER, prebuilt=oscar_build, variant="choices"
    )
    with site:
        before = order_count(site)
        out = workdir / "scan"
        command = [str(B2CECT), "scan", site.url_for("en"), "--out", str(out), "-q"]
        run = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=SCAN_TIMEOUT_S, check=False
        )
        after = order_count(site)
    report = json.loads((out / "report" / "report.json").read_text(encoding="utf-8"))
    return {
        "bundle": Bundle(out / "bundle"),
        "verdicts": {v["clause_id"]: v for v in report["verdicts"]},
        "exit_code": run.returncode,
        "output": run.stdout + run.stderr,
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
