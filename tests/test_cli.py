"""The command line as an auditor uses it on saved bundles (no browser needed)."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
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
    # --out means the same as in scan: the report goes into <out>/report/
    report = json.loads((tmp_path / "bad" / "report" / "report.json").read_text(encoding="utf-8"))
    assert sum(v["outcome"] == "fail" for v in report["verdicts"]) > 20


def test_audit_of_a_folder_that_is_no_bundle(tmp_path):
    result = run("audit", str(tmp_path))
    assert result.exit_code == pipeline.EXIT_NO_SCAN and "not a b2cect bundle" in result.output


def test_scan_without_a_browser_says_what_to_install(tmp_path):
    result = run("scan", "http://127.0.0.1:9/", "--out", str(tmp_path), B2CECT_BROWSER="/nope")
    assert result.exit_code == pipeline.EXIT_NO_SCAN
    assert "apt-get install chromium" in result.output


# --- exit codes: one meaning each, every command agreeing ----------------------------------
def copy_bundle(tmp_path: Path, seller: str = "noncompliant") -> Path:
    target = tmp_path / f"{seller}-copy"
    shutil.copytree(BUNDLES / seller, target)
    return target


def one_line_error(result) -> str:
    """The command ended by sys.exit with one line on stderr, not by a traceback."""
    assert isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ("audit", "{empty}"),
        ("audit", "{missing}"),
        ("audit", "{broken}"),
        ("check", "6.1.3.a", "--bundle", "{empty}"),
        ("check", "6.1.3.a", "--bundle", "{missing}"),
        ("check", "6.1.3.a", "--bundle", "{broken}"),
        ("diff", "{empty}", str(BUNDLES / "compliant")),
        ("diff", str(BUNDLES / "compliant"), "{broken}/manifest.json"),
    ],
)
def test_an_unusable_bundle_is_one_line_and_exit_2(tmp_path, args):
    (tmp_path / "empty").mkdir()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text('{"format": "b2cect-bundle", "steps": [', "utf-8")
    where = {"empty": tmp_path / "empty", "missing": tmp_path / "nope", "broken": broken}
    result = run(*(a.format(**where) for a in args))
    assert result.exit_code == pipeline.EXIT_NO_SCAN, result.output
    line = one_line_error(result)
    assert str(tmp_path) in line


BAD_RATINGS = "id,level,alpha,answer,note\n6.1.1.a,9,,,\n6.9.9,,1,,\n"


@pytest.mark.parametrize("command", ["scan", "audit"])
@pytest.mark.parametrize("option", ["--ratings", "--maturity", "--points"])
def test_auditor_files_are_checked_before_any_crawl(tmp_path, command, option):
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_RATINGS if option != "--points" else "id,points\n6.1.1.a,oops\n", "utf-8")
    target = "http://127.0.0.1:9/" if command == "scan" else str(BUNDLES / "compliant")
    # With no browser installed, a crawl that started would say how to install one.
    result = run(command, target, option, str(bad), B2CECT_BROWSER="/nope")
    assert result.exit_code == pipeline.EXIT_NO_SCAN, result.output
    line = one_line_error(result)
    assert "bad.csv" in line and "apt-get" not in result.output
    missing = run(command, target, option, str(tmp_path / "none.csv"), B2CECT_BROWSER="/nope")
    assert missing.exit_code == pipeline.EXIT_NO_SCAN
    assert "no such file" in one_line_error(missing)


@pytest.mark.parametrize("url", ["shop.example.cn", "ftp://shop.example.cn/", "file:///etc/"])
def test_scan_and_check_refuse_what_is_not_an_http_url(url):
    for args in (("scan", url), ("check", "6.1.3.a", url)):
        result = run(*args, B2CECT_BROWSER="/nope")
        assert result.exit_code == pipeline.EXIT_NO_SCAN, result.output
        assert "not an http(s) URL" in one_line_error(result)
        assert "apt-get" not in result.output  # refused before looking for a browser


def test_the_exit_code_follows_the_auditors_overrides(tmp_path):
    plain = run("audit", str(BUNDLES / "noncompliant"), "--out", str(tmp_path / "a"))
    assert plain.exit_code == pipeline.EXIT_FAILURES
    report = json.loads((tmp_path / "a" / "report" / "report.json").read_text("utf-8"))
    failing = [
        v["clause_id"]
        for v in report["verdicts"]
        if v["outcome"] == "fail" and v["scoring"] == "objective"
    ]
    ratings = tmp_path / "ratings.csv"
    rows = ["id,level,alpha,answer,note", f"{failing[0]},,,not_applicable,"]
    rows += [f"{cid},,,pass,seen by hand" for cid in failing[1:]]
    ratings.write_text("\n".join(rows) + "\n", "utf-8")
    overridden = run(
        "audit",
        str(BUNDLES / "noncompliant"),
        "--ratings",
        str(ratings),
        "--log-format",
        "json",
        "--out",
        str(tmp_path / "b"),
    )
    assert overridden.exit_code == pipeline.EXIT_OK, overridden.output
    events = [json.loads(line) for line in overridden.stderr.splitlines()]
    final = {e["clause_id"]: e["final_outcome"] for e in events if e["event"] == "outcome"}
    assert final[failing[0]] == "not_applicable" and final[failing[1]] == "pass"
    # ... and the other way: a machine pass the auditor fails makes the compliant seller fail.
    ratings.write_text("id,level,alpha,answer,note\n6.1.3.a,,,fail,\n", "utf-8")
    failed = run("check", "6.1.3.a", "--bundle", str(BUNDLES / "compliant"))
    assert failed.exit_code == pipeline.EXIT_OK
    audited = run(
        "audit", str(BUNDLES / "compliant"), "--ratings", str(ratings), "--out", str(tmp_path / "c")
    )
    assert audited.exit_code == pipeline.EXIT_FAILURES, audited.output


def test_an_altered_bundle_exits_3_in_audit_and_check(tmp_path):
    copy = copy_bundle(tmp_path, "compliant")
    page = sorted((copy / "pages").glob("*.html"))[0]
    page.write_text(page.read_text("utf-8") + "<!-- edited -->", "utf-8")
    audited = run("audit", str(copy), "--out", str(tmp_path / "out"))
    assert audited.exit_code == pipeline.EXIT_INTEGRITY, audited.output
    assert f"altered: pages/{page.name}" in audited.output
    checked = run("check", "6.1.3.a", "--bundle", str(copy))
    assert checked.exit_code == pipeline.EXIT_INTEGRITY
    (copy / "pages" / "extra.html").write_text("<p>added later</p>", "utf-8")
    page.unlink()
    again = run("audit", str(copy), "--out", str(tmp_path / "out2"))
    assert again.exit_code == pipeline.EXIT_INTEGRITY
    assert "unlisted: pages/extra.html" in again.output and "missing: pages/" in again.output


def test_an_unreachable_run_exits_2_whatever_the_verdicts(tmp_path):
    copy = copy_bundle(tmp_path, "compliant")
    manifest = json.loads((copy / "manifest.json").read_text("utf-8"))
    manifest["run"] = {"status": "unreachable", "reason": "connection refused"}
    (copy / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    for args in (
        ("audit", str(copy), "--out", str(tmp_path / "o")),
        ("check", "6.1.3.a", "--bundle", str(copy)),
    ):
        result = run(*args)
        assert result.exit_code == pipeline.EXIT_NO_SCAN, result.output
        assert "connection refused" in result.stderr


# --- the manifest's own hash -------------------------------------------------------------------
def test_audit_prints_the_manifest_hash_and_checks_an_expected_one(tmp_path):
    bundle = BUNDLES / "noncompliant"
    digest = hashlib.sha256((bundle / "manifest.json").read_bytes()).hexdigest()
    first = run("audit", str(bundle), "--out", str(tmp_path / "a"))
    assert f"manifest SHA-256: {digest}" in first.output
    same = run(
        "audit", str(bundle), "--expect-sha256", digest.upper(), "--out", str(tmp_path / "b")
    )
    assert same.exit_code == pipeline.EXIT_FAILURES  # the bundle's own verdicts decide
    report = json.loads((tmp_path / "b" / "report" / "report.json").read_text("utf-8"))
    assert report["run"]["manifest_sha256"] == digest
    other = run("audit", str(bundle), "--expect-sha256", "0" * 64, "--out", str(tmp_path / "c"))
    assert other.exit_code == pipeline.EXIT_INTEGRITY
    assert digest in one_line_error(other)
    assert not (tmp_path / "c" / "report").exists()


# --- output folders ------------------------------------------------------------------------------
def test_audit_output_folders_are_new_each_time_and_never_overwritten(tmp_path):
    copy = copy_bundle(tmp_path, "compliant")
    runs = [run("audit", str(copy)) for _ in range(2)]
    assert [r.exit_code for r in runs] == [pipeline.EXIT_OK] * 2
    folders = sorted(p for p in tmp_path.iterdir() if p.name.startswith("audit-"))
    assert len(folders) == 2 and all((f / "report" / "report.json").is_file() for f in folders)
    out = tmp_path / "filed"
    assert run("audit", str(copy), "--out", str(out)).exit_code == pipeline.EXIT_OK
    before = (out / "report" / "report.json").read_bytes()
    again = run("audit", str(copy), "--out", str(out))
    assert again.exit_code == pipeline.EXIT_NO_SCAN and "already exists" in one_line_error(again)
    assert (out / "report" / "report.json").read_bytes() == before


def test_default_scan_folders_differ_for_two_sellers_on_one_host(tmp_path):
    made = {
        pipeline.default_out_dir(url, tmp_path)
        for url in (
            "http://127.0.0.1:8001/",
            "http://127.0.0.1:8002/",
            "http://127.0.0.1:8001/shop2/",
        )
        for _ in range(2)
    }
    assert len(made) == 6 and all(p.is_dir() for p in made)
    names = sorted(p.name for p in made)
    assert sum(n.startswith("127.0.0.1_8001-") for n in names) == 4


# --- CI options -----------------------------------------------------------------------------
def test_fail_under_turns_a_low_score_into_exit_1(tmp_path):
    ok = run("audit", str(BUNDLES / "compliant"), "--fail-under", "1", "--out", str(tmp_path / "a"))
    assert ok.exit_code == pipeline.EXIT_OK, ok.output
    report = json.loads((tmp_path / "a" / "report" / "report.json").read_text("utf-8"))
    score = report["score"]
    assert score["final"] is None  # experience items unrated: the points earned decide
    best = score["decided_score"]
    above = f"{min(best + 0.5, 100):g}"
    low = run(
        "audit", str(BUNDLES / "compliant"), "--fail-under", above, "--out", str(tmp_path / "b")
    )
    assert low.exit_code == pipeline.EXIT_FAILURES, low.output
    assert "--fail-under" in low.stderr


def test_json_log_has_a_timestamped_event_per_outcome(tmp_path):
    result = run(
        "audit", str(BUNDLES / "noncompliant"), "--log-format", "json", "--out", str(tmp_path / "a")
    )
    events = [json.loads(line) for line in result.stderr.splitlines()]
    outcomes = [e for e in events if e["event"] == "outcome"]
    assert len(outcomes) == 84
    assert all(datetime.fromisoformat(e["time"]) for e in events)
    assert {e["outcome"] for e in outcomes} >= {"pass", "fail"}
    assert events[-1]["event"] == "end" and events[-1]["exit_code"] == pipeline.EXIT_FAILURES


def test_report_json_names_the_judge_apart_from_the_scanner(tmp_path):
    run("audit", str(BUNDLES / "compliant"), "--out", str(tmp_path / "a"))
    report = json.loads((tmp_path / "a" / "report" / "report.json").read_text("utf-8"))
    judge = report["run"]["judge"]
    assert judge["version"] and len(judge["checks_sha256"]) == 64
    assert judge["checks_sha256"] == pipeline.checks_sha256()
