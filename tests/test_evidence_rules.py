"""No evidence, no verdict: what the crawler did not reach is never a fail, and never a veto."""

from __future__ import annotations

import json
import socket

import pytest
from b2cect.checks import registry, scoring
from b2cect.checks.verdict import Outcome
from click.testing import CliRunner

from tests.casebundle import make_bundle

UNREACHED_REVIEW = {
    "pages": {
        "home": "<html><body><p>Welcome</p></body></html>",
        "checkout": "<html><body><h1>Shipping address</h1><input name='name'></body></html>",
    },
    "facts": {
        "checkout_options": {
            "step": "checkout",
            "delivery": [],
            "time_slots": [],
            "invoice": [],
            "payment": [],
        }
    },
    "steps": [
        {"kind": "checkout", "status": "blocked", "error": "no continue control"},
        {"kind": "checkout_review", "status": "skipped", "error": "checkout stopped early"},
    ],
}


def test_payment_items_seen_only_on_an_unfinished_checkout_feed_no_veto(tmp_path):
    bundle = make_bundle(tmp_path, **UNREACHED_REVIEW)
    verdicts = registry.run(bundle)
    payment = next(v for v in verdicts if v.clause_id == scoring.E1_SOURCE_ITEM)
    assert payment.outcome is Outcome.NEEDS_REVIEW
    assert "not reached" in payment.reason
    e1 = next(v for v in scoring.score(verdicts).vetoes if v.key == "E1")
    assert e1.holds is None  # unknown, not a veto


def test_the_same_checkout_with_its_review_page_seen_may_fail_and_set_the_veto(tmp_path):
    case = dict(UNREACHED_REVIEW, steps=[])
    case["pages"] = dict(
        case["pages"],
        checkout_review="<html><body><p>Total ¥10</p><button>Place order</button></body></html>",
    )
    verdicts = registry.run(make_bundle(tmp_path, **case))
    payment = next(v for v in verdicts if v.clause_id == scoring.E1_SOURCE_ITEM)
    assert payment.outcome is Outcome.FAIL
    e1 = next(v for v in scoring.score(verdicts).vetoes if v.key == "E1")
    assert e1.holds is True


def test_a_store_that_could_not_be_opened_gets_needs_review_on_every_item(tmp_path):
    bundle = make_bundle(
        tmp_path / "b",
        steps=[{"kind": "home", "status": "failed", "error": "net::ERR_CONNECTION_REFUSED"}],
    )
    verdicts = registry.run(bundle)
    assert len(verdicts) == len(registry.catalogue())
    assert {v.outcome for v in verdicts} == {Outcome.NEEDS_REVIEW}
    assert all("could not be opened" in v.reason for v in verdicts)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.browser
def test_scanning_an_unreachable_store_exits_2_with_every_item_needs_review(tmp_path):
    from b2cect.cli import main

    url = f"http://127.0.0.1:{free_port()}/"
    run = CliRunner().invoke(main, ["scan", url, "--out", str(tmp_path), "-q", "--timeout", "5"])
    assert run.exit_code == 2, run.output
    manifest = json.loads((tmp_path / "bundle" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run"]["status"] == "unreachable"
    report = json.loads((tmp_path / "report" / "report.json").read_text(encoding="utf-8"))
    outcomes = {v["outcome"] for v in report["verdicts"]}
    assert outcomes == {"needs_review"}


def test_an_excerpt_labelled_masked_shows_no_full_name_or_number(tmp_path):
    review = (
        "<html><body><h1>Kettle</h1><section class='reviews'><h2>商品评价</h2>"
        "<div class='review'><p>张三丰 13812345678：很好用，烧水快</p></div>"
        "<div class='review'><p class='reviewer-name'>Mary Watson</p><p>Great kettle</p></div>"
        "</section></body></html>"
    )
    bundle = make_bundle(tmp_path, pages={"product": review})
    verdict = registry.judge(registry.catalogue()["6.5.1"], bundle)
    assert verdict.outcome is Outcome.FAIL
    shown = [e for e in verdict.evidence if "masked here" in e.note]
    assert shown
    for ev in shown:
        for secret in ("张三丰", "13812345678", "Mary Watson"):
            assert secret not in ev.excerpt, (secret, ev.excerpt)
