"""The command line as an auditor uses it on saved bundles (no browser needed)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from b2cect import pipeline
from b2cect.cli import main

BUNDLES = Path(__file__).resolve().parents[1] / "fixtures" / "bundles"


def run(*args: str, **env: str):
    return CliRunner().invoke(main, list(args), env=env or None)


def test_clauses_lists_the_catalogue():
    result = run("clauses", "--format", "json")
    rows = json.loads(result.output)
    assert result.exit_code == 0 and len(rows) == 84
    assert {"id", "title_zh", "title_en", "stage", "evidence"} <= set(rows[0])
    section = run("clauses", "--section", "6.5.4")
    assert [line.split()[0] for line in section.output.splitlines()[::2]] == [
        "6.5.4.a",
        "6.5.4.b",
        "6.5.4.c",
    ]


def test_check_a_section_of_a_saved_bundle_prints_evidence():
    result = run("check", "6.5.4", "--bundle", str(BUNDLES / "noncompliant"))
    assert result.exit_code == pipeline.EXIT_FAILURES
    assert result.output.count("verdict: fail") == 3
    assert "downloads/" in result.output  # 6.5.4.b names the file it judged


def test_check_rejects_an_unknown_item():
    result = run("check", "6.9.9", "--bundle", str(BUNDLES / "compliant"))
    assert result.exit_code == 2 and "no catalogue item" in result.output


def test_audit_writes_reports_and_exit_code(tmp_path):
    good = run("audit", str(BUNDLES / "compliant"), "--out", str(tmp_path / "good"))
    bad = run("audit", str(BUNDLES / "noncompliant"), "--out", str(tmp_path / "bad"))
    assert good.exit_code == pipeline.EXIT_OK, good.output
    assert bad.exit_code == pipeline.EXIT_FAILURES, bad.output
    report = json.loads((tmp_path / "bad" / "report.json").read_text(encoding="utf-8"))
    assert sum(v["outcome"] == "fail" for v in report["verdicts"]) > 20


def test_audit_of_a_folder_that_is_no_bundle(tmp_path):
    result = run("audit", str(tmp_path))
    assert result.exit_code == pipeline.EXIT_NO_SCAN and "not a b2cect bundle" in result.output


def test_scan_without_a_browser_says_what_to_install(tmp_path):
    result = run("scan", "http://127.0.0.1:9/", "--out", str(tmp_path), B2CECT_BROWSER="/nope")
    assert result.exit_code == pipeline.EXIT_NO_SCAN
    assert "apt-get install chromium" in result.output
