"""Every check against its own small cases: HTML that must pass, fail, or not apply."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from b2cect.checks.registry import catalogue, judge

from .casebundle import make_bundle

CASES = Path(__file__).with_name("cases")


def load_cases() -> list:
    params = []
    for path in sorted(CASES.glob("*.yaml")):
        clause_id = path.stem
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            params.append(pytest.param(clause_id, case, id=f"{clause_id}:{case['name']}"))
    return params


@pytest.mark.parametrize("clause_id,case", load_cases())
def test_case(clause_id: str, case: dict, tmp_path: Path) -> None:
    bundle = make_bundle(
        tmp_path, case.get("pages"), case.get("facts"), case.get("steps"), case.get("store")
    )
    verdict = judge(catalogue()[clause_id], bundle)
    assert verdict.outcome.value == case["expect"], verdict.reason
    if verdict.outcome.value == "pass":
        assert verdict.evidence, "a pass must carry evidence"


def test_every_item_has_cases() -> None:
    """Each machine-judged item has a passing and a failing case; manual items a review case."""
    gaps = []
    for item in catalogue().values():
        path = CASES / f"{item.id}.yaml"
        expects = (
            {c["expect"] for c in yaml.safe_load(path.read_text("utf-8")) or []}
            if path.exists()
            else set()
        )
        wanted = {"needs_review"} if item.manual else {"pass", "fail"}
        if item.applies != "always" and not item.manual:
            wanted.add("not_applicable")
        if not wanted <= expects:
            gaps.append(f"{item.id}: missing {sorted(wanted - expects)}")
    assert not gaps, "\n".join(gaps)
