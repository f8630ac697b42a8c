"""`b2cect ratings-template BUNDLE`: a ratings file to fill in, that loads back as it is."""

from __future__ import annotations

import csv
from pathlib import Path

from b2cect.checks.registry import catalogue
from b2cect.checks.scoring import E_CONDITIONS, M_CONDITIONS, load_maturity, load_ratings
from b2cect.checks.scoring import maturity_table as annex_a_rows
from click.testing import CliRunner

from b2cect.cli import main

SAVED = Path(__file__).resolve().parents[1] / "fixtures" / "bundles"


def template_for(seller: str, tmp_path: Path) -> tuple[Path, list[dict[str, str]]]:
    result = CliRunner().invoke(main, ["ratings-template", str(SAVED / seller)])
    assert result.exit_code == 0, result.output
    path = tmp_path / "ratings.csv"
    path.write_text(result.output, encoding="utf-8")
    lines = [line for line in result.output.splitlines(keepends=True) if not line.startswith("#")]
    return path, list(csv.DictReader(lines))


def test_template_rows_and_hints(tmp_path: Path) -> None:
    from b2cect import pipeline

    _, rows = template_for("noncompliant", tmp_path)
    ids = [r["id"] for r in rows]
    verdicts = {v.clause_id: v for v in pipeline.audit(SAVED / "noncompliant").verdicts}
    experience = [i.id for i in catalogue().values() if i.scoring == "experience"]
    review = [
        cid
        for cid, v in verdicts.items()
        if catalogue()[cid].scoring == "objective" and v.outcome.value in ("needs_review", "error")
    ]
    assert set(experience) | set(review) <= set(ids)
    assert [i for i in ids if i in E_CONDITIONS or i in M_CONDITIONS] == [
        *E_CONDITIONS,
        *M_CONDITIONS,
    ]
    assert [r.key for r in annex_a_rows()] == ids[-len(annex_a_rows()) :]
    # each item row carries the machine's outcome and reason, in both languages
    first = next(r for r in rows if r["id"] == experience[0])
    assert first["machine"] == verdicts[experience[0]].outcome.value
    assert first["hint"] == " ".join(verdicts[experience[0]].reason.split())
    assert first["hint_zh"] and first["hint_zh"] != first["hint"]
    e1 = next(r for r in rows if r["id"] == "E1")
    assert e1["hint"]  # the machine's reading of 6.2.5.2
    assert all(r[c] == "" for r in rows for c in ("level", "alpha", "answer", "note"))


def test_blank_template_loads_and_answers_count(tmp_path: Path) -> None:
    path, rows = template_for("compliant", tmp_path)
    blank = load_ratings(path)
    assert blank.items == {} and blank.veto == {} and blank.maturity is None
    experience = next(r["id"] for r in rows if r["what"].startswith("experience"))
    filled = []
    for row in rows:
        if row["id"] == experience:
            row.update(level="4", note="easy to use")
        elif row["id"] in E_CONDITIONS or row["id"] in M_CONDITIONS:
            row["answer"] = "no"
        elif row["what"].startswith("Annex A"):
            row["level"] = "3"
        filled.append(row)
    out = tmp_path / "filled.csv"
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(filled)
    ratings = load_ratings(out)
    assert ratings.items[experience].level == 4
    assert ratings.veto == {key: False for key in E_CONDITIONS}
    maturity = load_maturity(out)
    assert set(maturity.levels) == {r.key for r in annex_a_rows()}
    audited = CliRunner().invoke(
        main,
        [
            "audit",
            str(SAVED / "compliant"),
            "--ratings",
            str(out),
            "--maturity",
            str(out),
            "--out",
            str(tmp_path / "rep"),
        ],
    )
    assert audited.exit_code == 0, audited.output
    assert f"ratings: {out}" in audited.output and f"maturity: {out}" in audited.output
    assert "Annex A: score" in audited.output and "grade" in audited.output


def test_template_of_a_missing_bundle_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(main, ["ratings-template", str(empty)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
