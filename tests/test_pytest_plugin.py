"""The pytest plugin (entry point `pytest11`), run in a nested pytest on the saved demo bundles."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from b2cect.checks import registry
from b2cect.checks.verdict import Outcome

from b2cect import pipeline

pytest_plugins = ["pytester"]

# Nested runs are in-process: pytester forgets the modules first imported inside them, but the
# registry would keep their checks. Importing every check module here keeps them loaded.
registry.checks()

BUNDLES = Path(__file__).resolve().parents[1] / "fixtures" / "bundles"
# The nested pytest runs in this process: without plugins that cannot nest (pytest-playwright).
INNER = ("-p", "no:cacheprovider", "-p", "no:playwright")


def judged(seller: str) -> dict[str, str]:
    return pipeline.audit(BUNDLES / seller).final_outcomes()


def junit_cases(path: Path) -> dict[str, str]:
    """{testcase name: "failure" | "skipped" | "error" | "passed"}."""
    cases = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "skipped", "error")]
        cases[case.get("name")] = kinds[0] if kinds else "passed"
    return cases


def test_the_plugin_is_registered_and_inert_without_its_options(pytester):
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest(*INNER)
    result.assert_outcomes(passed=1)
    # Loaded through its entry point, it adds no test and no header line.
    result.stdout.fnmatch_lines(["plugins:*b2cect*", "collected 1 item"])
    assert "b2cect: " not in result.stdout.str()


def test_the_noncompliant_sellers_junit_file_lists_its_failures(pytester):
    junit = pytester.path / "compliance.xml"
    result = pytester.runpytest(
        *INNER, "--b2cect-bundle", str(BUNDLES / "noncompliant"),
        f"--junitxml={junit}",
    )  # fmt: skip
    outcomes = judged("noncompliant")
    failing = {cid for cid, outcome in outcomes.items() if outcome == Outcome.FAIL.value}
    reviewed = {cid for cid, o in outcomes.items() if o in ("needs_review", "not_applicable")}
    assert result.ret == pytest.ExitCode.TESTS_FAILED and len(failing) > 20
    cases = junit_cases(junit)
    assert len(cases) == 84
    by_id = {name.split()[0]: kind for name, kind in cases.items()}
    assert {cid for cid, kind in by_id.items() if kind == "failure"} == failing
    assert {cid for cid, kind in by_id.items() if kind == "skipped"} == reviewed
    # Named by id and title; the failure says why, with the evidence.
    assert "6.1.3.a Product name, price, specification, maker and origin" in cases
    first = sorted(failing)[0]
    assert first in result.stdout.str()


def test_the_compliant_seller_passes_with_reviews_skipped(pytester):
    result = pytester.runpytest(*INNER, "--b2cect-bundle", str(BUNDLES / "compliant"), "-rs")
    outcomes = judged("compliant")
    skipped = sum(o in ("needs_review", "not_applicable") for o in outcomes.values())
    result.assert_outcomes(passed=84 - skipped, skipped=skipped)
    assert "needs_review: " in result.stdout.str()


def test_only_new_failures_fail_against_a_baseline_or_ignores(pytester, tmp_path):
    from click.testing import CliRunner

    from b2cect.cli import main

    CliRunner().invoke(main, ["audit", str(BUNDLES / "noncompliant"), "--out", str(tmp_path / "a")])
    baseline = tmp_path / "a" / "report" / "report.json"
    failing = sorted(c for c, o in judged("noncompliant").items() if o == Outcome.FAIL.value)
    known = pytester.runpytest(
        *INNER, "--b2cect-bundle", str(BUNDLES / "noncompliant"),
        "--b2cect-baseline", str(baseline),
    )  # fmt: skip
    assert known.ret == pytest.ExitCode.OK
    assert known.parseoutcomes()["xfailed"] == len(failing)
    ignored = pytester.runpytest(
        *INNER, "--b2cect-bundle", str(BUNDLES / "noncompliant"),
        "--b2cect-ignore", failing[0], "--b2cect-ignore", failing[1],
    )  # fmt: skip
    outcomes = ignored.parseoutcomes()
    assert outcomes["failed"] == len(failing) - 2 and outcomes["xfailed"] == 2


def test_an_altered_bundle_adds_a_failing_integrity_test(pytester, tmp_path):
    import shutil

    copy = tmp_path / "bundle"
    shutil.copytree(BUNDLES / "compliant", copy)
    page = sorted((copy / "pages").glob("*.html"))[0]
    page.write_text(page.read_text("utf-8") + "<!-- edited -->", "utf-8")
    result = pytester.runpytest(*INNER, "--b2cect-bundle", str(copy))
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*bundle integrity*", f"*altered: pages/{page.name}*"])


@pytest.mark.parametrize(
    "args", [("--b2cect-bundle", "{tmp}/none"), ("--b2cect-url", "shop.example.cn")]
)
def test_bad_plugin_input_is_a_usage_error(pytester, tmp_path, args):
    result = pytester.runpytest(*INNER, *(a.format(tmp=tmp_path) for a in args))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "Traceback" not in result.stderr.str()
