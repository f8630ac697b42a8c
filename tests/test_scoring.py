"""Annex B score and Annex A grade: the rules of SCORING.md, edge by edge."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from b2cect.checks.in_sale import E1_HINT_NOT_SEEN, E1_HINT_SEEN
from b2cect.checks.registry import catalogue
from b2cect.checks.scoring import (
    LIKERT_BANDS,
    MaturityAnswers,
    Ratings,
    alpha_in_level,
    assess_maturity,
    compute_score,
    level_of_alpha,
    load_maturity,
    load_points,
    load_ratings,
    maturity_grade,
    maturity_table,
)
from b2cect.checks.verdict import Evidence, Outcome, Verdict

EXPERIENCE = [i.id for i in catalogue().values() if i.scoring == "experience"]
OBJECTIVE = [i.id for i in catalogue().values() if i.scoring == "objective"]
NO_OTHER_VETO = {"E2": False, "E3": False, "E4": False}


def verdicts(outcome: Outcome = Outcome.PASS, **overrides: Outcome) -> list[Verdict]:
    """One verdict per catalogue item; `overrides` maps "6_2_5_2" style ids to outcomes."""
    wanted = {k.replace("_", "."): v for k, v in overrides.items()}
    result = [
        Verdict(cid, wanted.get(cid, outcome), "seen", [Evidence("home", excerpt="x")])
        for cid in catalogue()
    ]
    for v in result:  # 6.2.5.2 says whether payment security was seen, as the real check does
        if v.clause_id == "6.2.5.2" and v.outcome in (Outcome.PASS, Outcome.FAIL):
            seen = v.outcome is Outcome.PASS
            v.hints.append(f"{E1_HINT_SEEN}: 支付密码" if seen else E1_HINT_NOT_SEEN)
    return result


def write_yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def full_ratings(tmp_path: Path, alpha: float = 1.0, **veto: bool) -> Ratings:
    data = {
        "items": {cid: {"alpha": alpha} for cid in EXPERIENCE},
        "veto": {**NO_OTHER_VETO, **veto},
    }
    return load_ratings(write_yaml(tmp_path / "ratings.yaml", data))


# --- default point table -----------------------------------------------------------------------
def test_default_points_cover_catalogue_and_sum_to_100() -> None:
    table = load_points()
    assert set(table.points) == set(catalogue())
    assert table.total == pytest.approx(100)
    assert table.is_default
    assert all(p > 0 for p in table.points.values())
    assert all(round(p, 2) == p for p in table.points.values())


def test_default_points_file_says_it_is_not_official() -> None:
    from b2cect.checks.scoring import POINTS_DEFAULT

    header = POINTS_DEFAULT.read_text(encoding="utf-8").lower()
    assert "default" in header and "not the official" in header


def write_points(path: Path, change: dict[str, str] | None = None, drop: str = "") -> Path:
    rows = {cid: f"{p:g}" for cid, p in load_points().points.items()}
    rows.update(change or {})
    rows.pop(drop, None)
    path.write_text("id,points\n" + "".join(f"{k},{v}\n" for k, v in rows.items()), "utf-8")
    return path


def test_custom_points_file_is_not_default(tmp_path: Path) -> None:
    table = load_points(write_points(tmp_path / "official.csv"))
    assert not table.is_default
    result = compute_score(verdicts(), table)
    assert not result.points_are_default


@pytest.mark.parametrize(
    "change,drop,message",
    [
        ({"6.1.1.a": "2.5"}, "", "sum to 101"),  # default 1.5 -> 2.5
        ({}, "6.1.4", "missing ids: 6.1.4"),
        ({"9.9.9": "0"}, "", "unknown item id '9.9.9'"),
        ({"6.1.1.a": "-1.5", "6.1.1.b": "4"}, "", "non-negative"),
        ({"6.1.1.a": "lots"}, "", "not a number"),
    ],
)
def test_bad_points_file_is_rejected(tmp_path: Path, change, drop, message) -> None:
    with pytest.raises(ValueError, match=message):
        load_points(write_points(tmp_path / "p.csv", change, drop))


# --- Likert bands --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "alpha,level",
    [(0.0, 1), (0.2, 1), (0.21, 2), (0.4, 2), (0.41, 3), (0.6, 3), (0.8, 4), (0.81, 5), (1.0, 5)],
)
def test_band_edges_follow_annex_b(alpha: float, level: int) -> None:
    assert level_of_alpha(alpha) == level
    assert alpha_in_level(alpha, level)
    others = [lv for lv in LIKERT_BANDS if lv != level]
    assert not any(alpha_in_level(alpha, lv) for lv in others)


def test_alpha_outside_level_band_is_rejected(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "r.yaml", {"items": {"6.1.4": {"level": 3, "alpha": 0.4}}})
    with pytest.raises(ValueError, match=r"outside level 3's band \(0.4, 0.6\]"):
        load_ratings(path)


@pytest.mark.parametrize(
    "entry,message",
    [
        ({"alpha": 1.2}, "within 0..1"),
        ({"level": 6}, "level must be 1-5"),
        ({"note": "forgot"}, "give level, alpha or answer"),
    ],
)
def test_bad_item_ratings_are_rejected(tmp_path: Path, entry: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_ratings(write_yaml(tmp_path / "r.yaml", {"items": {"6.1.4": entry}}))


def test_objective_item_rating_is_all_or_nothing(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "r.yaml", {"items": {"6.1.3.a": {"alpha": 0.5}}})
    with pytest.raises(ValueError, match="full points or none"):
        load_ratings(path)


def test_unknown_ids_are_rejected(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "r.yaml", {"items": {"6.9": 0.5}, "veto": {"E9": True}})
    with pytest.raises(ValueError, match="unknown id '6.9'") as info:
        load_ratings(path)
    assert "E9" in str(info.value)


def test_level_without_alpha_scores_band_middle(tmp_path: Path) -> None:
    ratings = load_ratings(write_yaml(tmp_path / "r.yaml", {"items": {"6.1.4": {"level": 4}}}))
    row = compute_score(verdicts(), ratings=ratings).item("6.1.4")
    assert row.alpha == pytest.approx(0.7)
    assert row.source == "auditor" and row.level == 4
    assert row.contribution == pytest.approx(row.points * 0.7)


# --- Annex B totals --------------------------------------------------------------------------
def test_all_pass_with_full_ratings_scores_100(tmp_path: Path) -> None:
    result = compute_score(verdicts(), ratings=full_ratings(tmp_path))
    assert result.e == 1
    assert result.total == pytest.approx(100)
    assert result.final == pytest.approx(100)
    assert (result.final_min, result.final_max) == pytest.approx((100, 100))
    assert result.points_are_default


@pytest.mark.parametrize("veto", ["E2", "E3", "E4"])
def test_auditor_veto_makes_score_zero(tmp_path: Path, veto: str) -> None:
    result = compute_score(verdicts(), ratings=full_ratings(tmp_path, **{veto: True}))
    assert result.e == 0
    assert result.total == pytest.approx(100)  # the experience total stands, E zeroes it
    assert result.final == 0 and result.final_max == 0
    assert {v.key: v.status for v in result.vetoes}[veto] == "veto"


def test_e1_follows_payment_security_verdict(tmp_path: Path) -> None:
    ratings = full_ratings(tmp_path)
    failed = compute_score(verdicts(**{"6_2_5_2": Outcome.FAIL}), ratings=ratings)
    assert failed.e == 0 and failed.final == 0
    e1 = failed.vetoes[0]
    assert (e1.key, e1.holds, e1.source) == ("E1", True, "machine")

    unclear = compute_score(verdicts(**{"6_2_5_2": Outcome.NEEDS_REVIEW}), ratings=ratings)
    assert unclear.e is None and unclear.final is None
    assert unclear.vetoes[0].status == "unknown"
    assert unclear.final_min == 0  # E may still turn out 0


def test_e1_follows_the_security_hint_not_the_outcome() -> None:
    """6.2.5.2 can fail for offering one payment method while that method asks for a PIN."""
    one_method = verdicts()
    item = next(v for v in one_method if v.clause_id == "6.2.5.2")
    item.outcome = Outcome.FAIL
    result = compute_score(one_method)
    assert result.vetoes[0].holds is False and result.vetoes[0].source == "machine"


def test_auditor_overrides_e1(tmp_path: Path) -> None:
    ratings = full_ratings(tmp_path, E1=False)
    result = compute_score(verdicts(**{"6_2_5_2": Outcome.FAIL}), ratings=ratings)
    assert result.vetoes[0].source == "auditor"
    assert result.e == 1
    # 6.2.5.2 itself still loses its points; only the veto is lifted
    assert result.final == pytest.approx(100 - load_points().points["6.2.5.2"])


def test_missing_veto_answers_leave_e_unknown() -> None:
    result = compute_score(verdicts())
    assert result.e is None
    assert [v.status for v in result.vetoes] == ["clear", "unknown", "unknown", "unknown"]


def test_not_applicable_scores_full_points(tmp_path: Path) -> None:
    result = compute_score(
        verdicts(**{"6_1_3_f": Outcome.NOT_APPLICABLE}), ratings=full_ratings(tmp_path)
    )
    row = result.item("6.1.3.f")
    assert row.alpha == 1 and row.source == "machine" and "vacuously" in row.note
    assert result.final == pytest.approx(100)


def test_undecided_items_widen_the_range(tmp_path: Path) -> None:
    table = load_points()
    vs = verdicts(
        **{"6_1_3_a": Outcome.NEEDS_REVIEW, "6_1_3_b": Outcome.ERROR, "6_1_5": Outcome.FAIL}
    )
    result = compute_score(vs, ratings=full_ratings(tmp_path))
    open_points = table.points["6.1.3.a"] + table.points["6.1.3.b"]
    assert result.undecided_points == pytest.approx(open_points)
    assert result.total is None and result.final is None
    assert result.final_min == pytest.approx(100 - open_points - table.points["6.1.5"])
    assert result.final_max == pytest.approx(100 - table.points["6.1.5"])
    assert result.item("6.1.3.a").source == "undecided"
    assert result.item("6.1.5").contribution == 0


def test_unrated_experience_items_are_undecided_with_machine_hint() -> None:
    result = compute_score(verdicts(**{"6_1_4": Outcome.FAIL}))
    row = result.item("6.1.4")
    assert row.source == "undecided" and row.alpha is None
    assert row.note.startswith("machine: fail")
    experience_points = sum(load_points().points[c] for c in EXPERIENCE)
    assert result.objective_score == pytest.approx(100 - experience_points)
    assert result.experience_score == 0
    assert result.final_max == pytest.approx(100)


def test_items_without_verdict_are_undecided() -> None:
    only_some = [v for v in verdicts() if v.clause_id.startswith("6.1.")]
    result = compute_score(only_some)
    assert result.item("6.5.1").source == "undecided"
    assert result.item("6.5.1").machine_outcome is None
    assert result.coverage_total == sum(1 for v in only_some if not catalogue()[v.clause_id].manual)


def test_auditor_decides_objective_item_under_review(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "r.yaml", {"items": {"6.1.3.a": {"answer": "fail"}}})
    vs = verdicts(**{"6_1_3_a": Outcome.NEEDS_REVIEW})
    row = compute_score(vs, ratings=load_ratings(path)).item("6.1.3.a")
    assert (row.alpha, row.source, row.machine_outcome) == (0.0, "auditor", "needs_review")


def test_coverage_counts_machine_decisions_of_non_manual_items() -> None:
    vs = verdicts(**{"6_1_1_c": Outcome.NEEDS_REVIEW, "6_1_3_f": Outcome.NOT_APPLICABLE})
    vs = [
        v
        if not catalogue()[v.clause_id].manual
        else Verdict(v.clause_id, Outcome.NEEDS_REVIEW, "manual")
        for v in vs
    ]
    result = compute_score(vs)
    manual = sum(1 for i in catalogue().values() if i.manual)
    assert result.coverage_total == 84 - manual
    assert result.coverage_decided == 84 - manual - 1


def test_csv_ratings_match_yaml(tmp_path: Path) -> None:
    lines = ["id,level,alpha,answer,note"]
    lines += [f"{cid},,1,," for cid in EXPERIENCE]
    lines += ["E2,,,no,", "counterfeit_goods,,,,"]  # long name of E2 given twice
    path = tmp_path / "r.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="given twice"):
        load_ratings(path)
    lines[-1] = "ccc_proof_missing,,,no,"
    lines.append("E4,,,false,checked recall list")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = compute_score(verdicts(), ratings=load_ratings(path))
    assert result.e == 1 and result.final == pytest.approx(100)


# --- Annex A --------------------------------------------------------------------------------
def maturity_levels(level: int, **exceptions: int) -> dict[str, int]:
    levels = {row.key: level for row in maturity_table()}
    levels.update({k.replace("_", "."): v for k, v in exceptions.items()})
    return levels


NO_M_VETO = {f"M{n}": False for n in range(1, 6)}


def test_maturity_table_is_table_a2() -> None:
    table = maturity_table()
    assert len(table) == 15
    assert sum(row.max_points for row in table) == 100
    assert all(row.level_points[-1] == row.max_points for row in table)
    assert {row.key: row.max_points for row in table}["5.3.3"] == 15


@pytest.mark.parametrize(
    "total,lowest,grade",
    [
        (19, 1, 0),
        (20, 1, 1),
        (40, 1, 1),
        (41, 2, 2),
        (41, 1, 1),
        (61, 3, 3),
        (75, 2, 2),
        (81, 3, 4),
        (90, 3, 4),
        (91, 3, 5),
        (100, 3, 5),
        (95, 0, 0),
        (95, 2, 2),
    ],
)
def test_grade_is_highest_band_with_total_and_floor_met(total: int, lowest: int, grade: int):
    assert maturity_grade(total, lowest) == grade


def test_all_level_5_is_grade_5() -> None:
    result = assess_maturity(MaturityAnswers(maturity_levels(5), NO_M_VETO))
    assert (result.total, result.score, result.grade, result.m) == (100, 100, 5, 1)


def test_one_weak_clause_caps_the_grade() -> None:
    # level 4 everywhere = 80 points; 5.4 at level 1 = 1 point, under grade 2's floor of 2
    result = assess_maturity(MaturityAnswers(maturity_levels(4, **{"5_4": 1}), NO_M_VETO))
    assert result.total == 77
    assert result.grade == 1


def test_clause_below_level_1_scores_zero_and_grades_nothing() -> None:
    result = assess_maturity(MaturityAnswers(maturity_levels(5, **{"5_5": 0}), NO_M_VETO))
    assert result.total == 95 and result.grade == 0


def test_m_veto_zeroes_score_and_withholds_grade() -> None:
    answers = MaturityAnswers(maturity_levels(5), {**NO_M_VETO, "M2": True})
    result = assess_maturity(answers)
    assert (result.total, result.score, result.m, result.grade) == (100, 0, 0, None)
    assert "M2" in result.grade_note


def test_unanswered_m_gives_provisional_grade() -> None:
    result = assess_maturity(MaturityAnswers(maturity_levels(3), {"M1": False}))
    assert result.m is None and result.score is None
    assert result.grade == 2 and "if M = 1" in result.grade_note  # 60 points


def test_maturity_must_rate_every_clause() -> None:
    levels = maturity_levels(3)
    del levels["5.2.4-finance"]
    with pytest.raises(ValueError, match="5.2.4-finance"):
        assess_maturity(MaturityAnswers(levels, NO_M_VETO))


def test_maturity_file_with_clause_numbers(tmp_path: Path) -> None:
    levels = {k: 3 for k in maturity_levels(3)}
    levels.pop("5.3.3")
    levels["5.3.4"] = 4  # alias for the risk/security row
    data = {"maturity": levels, "veto": {"M1": False, "no_acceptance_proof": "no"}}
    answers = load_maturity(write_yaml(tmp_path / "m.yaml", data))
    result = assess_maturity(answers)
    assert {r.key: r.points for r in result.rows}["5.3.3"] == 12
    assert {v.key: v.status for v in result.vetoes}["M3"] == "clear"


def test_maturity_level_out_of_range(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="level must be 0-5"):
        load_maturity(write_yaml(tmp_path / "m.yaml", {"maturity": {"5.2.1": 7}}))


def test_ratings_file_can_carry_maturity(tmp_path: Path) -> None:
    data = {"items": {"6.1.4": 0.9}, "maturity": maturity_levels(2), "veto": NO_M_VETO}
    result = compute_score(verdicts(), ratings=load_ratings(write_yaml(tmp_path / "r.yaml", data)))
    assert result.maturity is not None
    assert (result.maturity.total, result.maturity.grade) == (40, 1)


def test_no_maturity_answers_means_not_assessed() -> None:
    assert compute_score(verdicts()).maturity is None


def test_examples_in_auditor_docs_load(tmp_path: Path) -> None:
    """The YAML and CSV examples in docs/auditor-files.md stay valid."""
    import re

    doc = (Path(__file__).parents[1] / "docs" / "auditor-files.md").read_text(encoding="utf-8")
    blocks = dict(re.findall(r"```(yaml|csv)\n(.*?)```", doc, flags=re.S))
    (tmp_path / "ex.yaml").write_text(blocks["yaml"], encoding="utf-8")
    (tmp_path / "ex.csv").write_text(blocks["csv"], encoding="utf-8")
    from_yaml = load_ratings(tmp_path / "ex.yaml")
    result = compute_score(verdicts(), ratings=from_yaml)
    assert result.item("6.1.4").alpha == pytest.approx(0.5)
    assert result.item("6.1.3.a").alpha == 0
    assert result.e == 1
    assert result.maturity is not None and result.maturity.m == 1
    from_csv = load_ratings(tmp_path / "ex.csv")
    assert from_csv.items["6.1.1.a"].level == 4
    assert from_csv.veto == {"E2": False, "E3": False, "E4": False}
