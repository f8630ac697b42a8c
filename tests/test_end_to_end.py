"""The product as a user runs it: live scans of both demo sellers through the CLI, the expected
verdict for every item, and offline audits that reproduce the live verdicts exactly."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from b2cect.demo import SELLERS

from b2cect import pipeline

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ROOT / "fixtures" / "demo_store" / "expected"
SAVED_BUNDLES = ROOT / "fixtures" / "bundles"


def expected(seller: str) -> dict[str, str]:
    with (EXPECTED / f"{seller}.csv").open(encoding="utf-8") as handle:
        return {row["id"]: row["outcome"] for row in csv.DictReader(handle)}


def outcomes(verdicts) -> dict[str, str]:
    return {v.clause_id: v.outcome.value for v in verdicts}


def differences(got: dict[str, str], want: dict[str, str]) -> list[str]:
    return [f"{i}: got {got.get(i)}, expected {want[i]}" for i in want if got.get(i) != want[i]]


@pytest.fixture(params=SELLERS)
def live_scan(request, demo_scan):
    return demo_scan(request.param)


@pytest.mark.browser
def test_live_scan_gives_expected_verdicts(live_scan):
    got = {v["clause_id"]: v["outcome"] for v in live_scan.report["verdicts"]}
    seller = live_scan.seller
    assert len(got) == 84
    assert not differences(got, expected(seller)), "\n".join(differences(got, expected(seller)))


@pytest.mark.browser
def test_exit_code_and_summary(live_scan):
    want = pipeline.EXIT_OK if live_scan.seller == "compliant" else pipeline.EXIT_FAILURES
    assert live_scan.exit_code == want, live_scan.output
    assert "report.html" in live_scan.output and "Annex B" in live_scan.output
    for name in ("report.html", "report.xlsx", "report.csv", "report.json"):
        assert (live_scan.out / "report" / name).is_file()


@pytest.mark.browser
def test_offline_audit_reproduces_live_verdicts(live_scan, tmp_path):
    """A bundle copied elsewhere and re-judged with no browser gives the same verdicts, evidence
    included."""
    copy = tmp_path / "bundle"
    shutil.copytree(live_scan.out / "bundle", copy)
    audited = pipeline.audit(copy)
    assert audited.integrity == []
    assert [v.to_dict() for v in audited.verdicts] == [
        {k: v[k] for k in ("clause_id", "outcome", "reason", "reason_zh", "evidence", "hints")}
        for v in live_scan.report["verdicts"]
    ]


@pytest.mark.parametrize("seller", SELLERS)
def test_saved_bundle_gives_expected_verdicts(seller):
    """Regression run: the bundles saved in fixtures/ judged offline."""
    audited = pipeline.audit(SAVED_BUNDLES / seller)
    assert audited.integrity == []
    diff = differences(outcomes(audited.verdicts), expected(seller))
    assert not diff, "\n".join(diff)


def test_altered_bundle_is_reported(tmp_path):
    copy = tmp_path / "bundle"
    shutil.copytree(SAVED_BUNDLES / SELLERS[0], copy)
    page = next((copy / "pages").glob("*.html"))
    page.write_text(page.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    assert pipeline.audit(copy).integrity == [f"altered: pages/{page.name}"]
