"""Every reason a check gives has a Chinese rendering (checks/reasons_zh.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from b2cect.checks.reasons_zh import reason_zh, zh_or_en
from b2cect.checks.registry import catalogue, judge, run
from b2cect.checks.verdict import Outcome, Verdict
from b2cect.crawler.bundle import Bundle

from .casebundle import make_bundle

CASES = Path(__file__).with_name("cases")
SAVED = Path(__file__).parents[1] / "fixtures" / "bundles"


def _untranslated(verdicts: list[Verdict]) -> list[str]:
    texts = [(v.clause_id, t) for v in verdicts for t in [v.reason, *v.hints]]
    return [f"{cid}: {text}" for cid, text in texts if reason_zh(text) is None]


def test_every_case_reason_has_chinese(tmp_path: Path) -> None:
    verdicts = []
    for path in sorted(CASES.glob("*.yaml")):
        for n, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or []):
            root = tmp_path / f"{path.stem}-{n}"
            bundle = make_bundle(
                root, case.get("pages"), case.get("facts"), case.get("steps"), case.get("store")
            )
            verdicts.append(judge(catalogue()[path.stem], bundle))
    assert len(verdicts) > 300
    missing = _untranslated(verdicts)
    assert not missing, "no Chinese rendering (add a pattern to checks/reasons_zh.yaml):\n" + (
        "\n".join(missing)
    )


@pytest.mark.parametrize("seller", ["compliant", "noncompliant"])
def test_every_saved_bundle_reason_has_chinese(seller: str) -> None:
    missing = _untranslated(run(Bundle(SAVED / seller)))
    assert not missing, "\n".join(missing)


def test_renderings_keep_store_text_and_numbers() -> None:
    reason = "2 of 6 product page(s) lack stock information: Kettle <b> (no stock information)."
    zh = reason_zh(reason)
    assert zh == "6 个商品页中有 2 个缺少库存信息：Kettle <b>（缺少库存信息）。"
    assert reason_zh("Not judged: cart step failed: timed out after 15 s.") == (
        "未判定：cart 步骤失败：15 秒后超时。"
    )
    # A crawler detail no pattern knows is kept as written, the rest still rendered.
    assert reason_zh("Not judged: cart step failed: socket hang up.") == (
        "未判定：cart 步骤失败：socket hang up。"
    )


def test_unknown_text_has_no_rendering_and_display_falls_back() -> None:
    assert reason_zh("Something no check says.") is None
    assert zh_or_en("Something no check says.") == "Something no check says."
    assert reason_zh("纯中文的理由") == "纯中文的理由"


def test_json_carries_reason_zh() -> None:
    reason = "No statement that chosen items are reserved (or for how long)."
    verdict = Verdict("6.2.1.3", Outcome.FAIL, reason)
    data = verdict.to_dict()
    assert data["reason_zh"] == "未说明所选商品是否保留（或保留多久）。"
    assert Verdict.from_dict(data).reason == verdict.reason


def test_score_notes_have_chinese(tmp_path: Path) -> None:
    """How each item's score was decided (machine, auditor, undecided) renders too."""
    from b2cect.checks.scoring import compute_score, load_ratings

    verdicts = run(Bundle(SAVED / "noncompliant"))
    experience = [cid for cid, item in catalogue().items() if item.scoring == "experience"]
    ratings = tmp_path / "r.csv"
    ratings.write_text(
        "id,level,alpha,answer,note\n"
        f"{experience[0]},4,,,easy\n{experience[1]},,0.3,,\n{experience[2]},,,not_applicable,\n",
        encoding="utf-8",
    )
    score = compute_score(verdicts, ratings=load_ratings(ratings))
    missing = [s.note for s in score.items if reason_zh(s.note) is None]
    assert not missing, "\n".join(missing)
    assert {s.source for s in score.items} == {"machine", "auditor", "undecided"}


@pytest.mark.parametrize("m1", [None, True, False])
def test_veto_reasons_and_grade_notes_have_chinese(m1: bool | None) -> None:
    from b2cect.checks.scoring import MaturityAnswers, compute_score, maturity_table

    answers = MaturityAnswers(
        {row.key: 3 for row in maturity_table()}, {"M1": m1, **{f"M{n}": False for n in (2, 3)}}
    )
    score = compute_score(run(Bundle(SAVED / "compliant")), maturity=answers)
    texts = [v.reason for v in score.vetoes] + [score.maturity.grade_note]
    texts += [v.reason for v in score.maturity.vetoes]
    missing = [t for t in texts if reason_zh(t) is None]
    assert not missing, "\n".join(missing)
