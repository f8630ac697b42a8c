"""The auditor's ratings file, pre-filled: `b2cect ratings-template BUNDLE > ratings.csv`.

One row for each thing only the auditor can decide: every experience item, every objective
item the machine left to review (or could not check), the vetoes E1-E4 and M1-M5, and the 15
Annex A rows. Each row carries the machine's outcome and reason as a hint. The answer columns
(level, alpha, answer, note) are left blank; a blank row is not answered yet, so the file loads
as it is (`--ratings`/`--maturity`, docs/auditor-files.md) and every filled row counts.
"""

from __future__ import annotations

import csv
import io

from b2cect.checks.reasons_zh import zh_or_en
from b2cect.checks.registry import catalogue, sort_key
from b2cect.checks.scoring import E_CONDITIONS, M_CONDITIONS, ScoreResult, maturity_table
from b2cect.checks.verdict import Outcome, Verdict

from .i18n import VETO_ZH
from .tables import guard_cell

COLUMNS = ["id", "level", "alpha", "answer", "note", "what", "machine", "hint", "hint_zh", "title"]
ASK = {
    "experience": "experience item: level 1-5 and/or alpha 0..1, or answer not_applicable",
    "objective": "objective item: answer pass, fail or not_applicable",
    "veto": "veto: answer yes (the condition holds) or no",
    "maturity": "Annex A row: level 0-5 (0 = level 1 not met)",
}
HEADER = """\
# b2cect ratings file for {store} ({bundle}), written from the machine's verdicts.
# Fill in level / alpha / answer (and a note); rows left blank stay with the machine.
# Use it with: b2cect audit BUNDLE --ratings THIS.csv   (docs/auditor-files.md)
"""
_REVIEW = (Outcome.NEEDS_REVIEW, Outcome.ERROR)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def template_rows(verdicts: list[Verdict], score: ScoreResult) -> list[dict[str, str]]:
    """The rows of the template, in the order an auditor works through them."""
    items = catalogue()
    rows: list[dict[str, str]] = []
    for verdict in sorted(verdicts, key=lambda v: sort_key(v.clause_id)):
        item = items.get(verdict.clause_id)
        if item is None:
            continue
        if item.scoring != "experience" and verdict.outcome not in _REVIEW:
            continue
        rows.append(
            {
                "id": item.id,
                "what": ASK[item.scoring if item.scoring == "experience" else "objective"],
                "machine": verdict.outcome.value,
                "hint": verdict.reason,
                "hint_zh": zh_or_en(verdict.reason),
                "title": f"{item.title_zh} / {item.title_en}",
            }
        )
    machine_vetoes = {v.key: v for v in score.vetoes}
    for key, (_name, text) in {**E_CONDITIONS, **M_CONDITIONS}.items():
        seen = machine_vetoes.get(key)
        rows.append(
            {
                "id": key,
                "what": ASK["veto"],
                "machine": seen.status if seen and seen.source == "machine" else "",
                "hint": seen.reason if seen else "",
                "hint_zh": zh_or_en(seen.reason) if seen else "",
                "title": f"{VETO_ZH[key]} / {text}",
            }
        )
    for row in maturity_table():
        rows.append(
            {
                "id": row.key,
                "what": ASK["maturity"],
                "title": f"{row.title_zh} / {row.title_en} (max {row.max_points})",
            }
        )
    return rows


def ratings_template(
    verdicts: list[Verdict], score: ScoreResult, store: str = "", bundle: str = ""
) -> str:
    """The template as CSV text (UTF-8, comment lines first)."""
    buffer = io.StringIO()
    buffer.write(HEADER.format(store=_one_line(store) or "the store", bundle=_one_line(bundle)))
    writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in template_rows(verdicts, score):
        # One line per row (comment stripping reads lines) and no cell a spreadsheet would run.
        writer.writerow({k: guard_cell(_one_line(row.get(k, ""))) for k in COLUMNS})
    return buffer.getvalue()
