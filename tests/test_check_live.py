"""`b2cect check ID URL` on the demo store: only the journey parts the item needs, the same
verdict as a full scan, and what was missing to decide."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from b2cect.checks.registry import catalogue
from b2cect.crawler import scan
from b2cect.crawler.bundle import Bundle
from b2cect.demo import DemoStore
from click.testing import CliRunner

from b2cect import plan
from b2cect.cli import main

pytestmark = pytest.mark.browser


def check(*args: str, **env: str):
    return CliRunner().invoke(main, ["check", *args], env=env or None)


@pytest.mark.parametrize("clause_id", ["6.1.3.a", "6.2.2.1"])
def test_a_single_item_runs_its_plan_only_and_agrees_with_the_full_scan(
    tmp_path, demo_scan, clause_id
):
    result = check(clause_id, "--demo", "noncompliant", "--out", str(tmp_path))
    parts = plan.parts_for([catalogue()[clause_id]])
    assert f"Journey for {clause_id}: {', '.join(parts)}" in result.output
    bundle = Bundle(tmp_path / "bundle")
    recorded = {g for p in scan.JOURNEY if p.name in parts for g in p.gives}
    pages = {s.kind for s in bundle.steps if s.html}
    assert pages <= recorded, pages - recorded
    assert "orders" not in pages and "privacy" not in pages  # parts it does not need
    assert f"Bundle: {(tmp_path / 'bundle').resolve()}" in result.output
    shots = [
        line.split("screenshot: ", 1)[1]
        for line in result.output.splitlines()
        if "screenshot: " in line
    ]
    assert shots and all(Path(s).is_absolute() and Path(s).is_file() for s in shots)
    full = {v["clause_id"]: v["outcome"] for v in demo_scan("noncompliant").report["verdicts"]}
    assert f"verdict: {full[clause_id]}" in result.output
    assert result.exit_code == (1 if full[clause_id] == "fail" else 0), result.output


def test_check_says_the_account_items_need_credentials(tmp_path):
    with DemoStore("compliant") as store:
        result = check(
            "6.5.4.a",
            store.url,
            "--out",
            str(tmp_path),
            B2CECT_LOGIN_USER="",
            B2CECT_LOGIN_PASSWORD="",
        )
    assert "verdict: needs_review" in result.output
    needing = len(plan.account_items())
    assert (
        f"set B2CECT_LOGIN_USER/B2CECT_LOGIN_PASSWORD: 1 of these items ({needing} in the "
        "catalogue) need the customer's account"
    ) in result.output
    assert result.exit_code == 0


def test_an_unreachable_store_exits_2_with_json_events_only_on_stderr(tmp_path):
    result = CliRunner().invoke(
        main, ["scan", "http://127.0.0.1:9/", "--out", str(tmp_path), "-q", "--log-format", "json"]
    )
    assert result.exit_code == 2, result.output
    events = [json.loads(line) for line in result.stderr.splitlines()]
    steps = [e for e in events if e["event"] == "step"]
    assert steps[0]["kind"] == "sitemap" and any(
        e["kind"] == "home" and e["status"] == "failed" for e in steps
    )
    assert any(e["event"] == "error" and "could not be scanned" in e["message"] for e in events)
    assert events[-1] == {**events[-1], "event": "end", "exit_code": 2}
