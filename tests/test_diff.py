"""`b2cect diff` and the comparison behind it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from b2cect import pipeline
from b2cect.cli import main
from b2cect.diff import BETTER, REGRESSION, WORSE, Score, compare

BUNDLES = Path(__file__).resolve().parents[1] / "fixtures" / "bundles"


def test_regressions_come_first_and_scores_are_compared():
    old = {"6.1.1.c": "pass", "6.1.3.a": "needs_review", "6.1.4": "pass", "6.2.1.1": "fail"}
    new = {"6.1.1.c": "needs_review", "6.1.3.a": "fail", "6.1.4": "pass", "6.2.1.1": "pass"}
    result = compare(old, new, Score(80, None), Score(72.5, 60))
    assert [(c.clause_id, c.kind) for c in result.changes] == [
        ("6.1.3.a", REGRESSION),
        ("6.1.1.c", WORSE),
        ("6.2.1.1", BETTER),
    ]
    assert [c.clause_id for c in result.regressions] == ["6.1.3.a"]
    assert result.delta("objective") == -7.5 and result.delta("final") is None


def test_diff_of_two_bundles_exits_1_on_a_regression():
    runner = CliRunner()
    worse = runner.invoke(main, ["diff", str(BUNDLES / "compliant"), str(BUNDLES / "noncompliant")])
    assert worse.exit_code == pipeline.EXIT_FAILURES, worse.output
    lines = [line.split() for line in worse.output.splitlines() if line.startswith("  ")]
    kinds = [parts[0] for parts in lines]
    assert kinds[0] == REGRESSION and kinds.count(REGRESSION) > 20
    assert kinds == sorted(kinds, key=lambda k: k != REGRESSION)  # regressions first
    assert "objective score:" in worse.output
    better = runner.invoke(
        main, ["diff", str(BUNDLES / "noncompliant"), str(BUNDLES / "compliant")]
    )
    assert better.exit_code == pipeline.EXIT_OK and "regression" not in better.output


def test_diff_reads_report_json_files(tmp_path):
    runner = CliRunner()
    for seller in ("compliant", "noncompliant"):
        runner.invoke(main, ["audit", str(BUNDLES / seller), "--out", str(tmp_path / seller)])
    old = tmp_path / "compliant" / "report" / "report.json"
    new = tmp_path / "noncompliant" / "report" / "report.json"
    result = runner.invoke(main, ["diff", str(old), str(new), "--json"])
    assert result.exit_code == pipeline.EXIT_FAILURES
    data = json.loads(result.stdout)
    fails = {
        v["clause_id"]
        for v in json.loads(new.read_text("utf-8"))["verdicts"]
        if v["outcome"] == "fail"
    }
    assert {c["clause_id"] for c in data["changes"] if c["kind"] == REGRESSION} == fails
    assert data["objective_delta"] < 0
    same = runner.invoke(main, ["diff", str(old), str(tmp_path / "compliant" / "report")])
    assert same.exit_code == pipeline.EXIT_OK and "No verdict changed" in same.output


def test_a_report_and_its_own_bundle_differ_in_nothing(tmp_path):
    runner = CliRunner()
    runner.invoke(main, ["audit", str(BUNDLES / "compliant"), "--out", str(tmp_path / "a")])
    report = tmp_path / "a" / "report" / "report.json"
    result = runner.invoke(main, ["diff", str(report), str(BUNDLES / "compliant"), "--json"])
    assert result.exit_code == pipeline.EXIT_OK, result.output
    assert json.loads(result.stdout)["changes"] == []
