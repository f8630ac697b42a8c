"""report.csv and report.xlsx: one row per item, for auditors who filter and sort.

Store text lands in cells, so every text cell is guarded: a value that starts like a formula
(= + - @, tab, carriage return) gets a leading apostrophe, so Excel and LibreOffice show it as
text instead of running it; control characters that openpyxl refuses are dropped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from .context import OUTCOME_LABELS, ReportContext

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

ITEM_COLUMNS = [
    "id",
    "section",
    "stage",
    "scoring",
    "evidence_kind",
    "title_zh",
    "title_en",
    "outcome",
    "reason",
    "points",
    "alpha",
    "score_source",
    "contribution",
    "evidence_page",
    "evidence_url",
    "evidence_selector",
    "evidence_excerpt",
    "screenshot",
    "evidence_count",
    "hints",
]


def guard_cell(value: Any) -> Any:
    """Text safe to open in a spreadsheet; numbers and None pass unchanged."""
    if not isinstance(value, str):
        return value
    value = _ILLEGAL_XML.sub("", value)
    if value.startswith(FORMULA_START):
        return "'" + value
    return value


def _guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.apply(lambda column: column.map(guard_cell))


def item_frame(ctx: ReportContext) -> pd.DataFrame:
    records = []
    for row in ctx.rows:
        first = row.evidence[0] if row.evidence else None
        item, score = row.item, row.score
        records.append(
            {
                "id": row.id,
                "section": row.section,
                "stage": item.stage if item else "",
                "scoring": item.scoring if item else "",
                "evidence_kind": item.evidence if item else "",
                "title_zh": item.title_zh if item else "",
                "title_en": item.title_en if item else "",
                "outcome": row.outcome,
                "reason": row.verdict.reason,
                "points": score.points if score else None,
                "alpha": score.alpha if score else None,
                "score_source": score.source if score else "",
                "contribution": round(score.contribution, 4)
                if score and score.contribution is not None
                else None,
                "evidence_page": first.page if first else "",
                "evidence_url": first.url if first else "",
                "evidence_selector": first.selector if first else "",
                "evidence_excerpt": first.excerpt if first else "",
                "screenshot": first.screenshot if first else "",
                "evidence_count": len(row.evidence),
                "hints": "\n".join(row.verdict.hints),
            }
        )
    return _guard_frame(pd.DataFrame.from_records(records, columns=ITEM_COLUMNS))


def summary_frame(ctx: ReportContext) -> pd.DataFrame:
    score = ctx.score
    pairs: list[tuple[str, Any]] = [
        ("store", ctx.store.get("name", "")),
        ("store URL", ctx.store.get("url", "")),
        ("scan started", ctx.run.get("started", "")),
        ("scan finished", ctx.run.get("finished", "")),
        ("tool", ctx.run.get("tool", "")),
        ("browser", ctx.run.get("browser", "")),
        ("bundle", ctx.run.get("bundle", "")),
        ("bundle integrity", integrity_text(ctx.run.get("integrity"))),
        (
            "point table",
            "b2cect DEFAULT weights - not the official Table B.1 values"
            if score.points_are_default
            else f"custom: {score.points_source}",
        ),
        ("objective score (decided)", round(score.objective_score, 2)),
        ("experience score (rated)", round(score.experience_score, 2)),
        ("undecided points", round(score.undecided_points, 2)),
        ("E (veto coefficient)", score.e_text()),
        ("final score" if score.final is not None else "final score range", score.range_text()),
        (
            "machine-checkable items decided",
            f"{score.coverage_decided} of {score.coverage_total}",
        ),
    ]
    pairs += [(f"items {OUTCOME_LABELS[k]}", n) for k, n in ctx.counts.items()]
    pairs += [(f"veto {v.key} {v.name}", f"{v.status}: {v.reason}") for v in score.vetoes]
    maturity = score.maturity
    if maturity is None:
        pairs.append(("Annex A maturity", "not assessed"))
    else:
        pairs += [
            ("Annex A total", maturity.total),
            ("Annex A M", "unknown" if maturity.m is None else maturity.m),
            ("Annex A grade", maturity.grade_note),
        ]
    pairs += [(f"policy: {k}", v) for k, v in score.policies.items()]
    frame = pd.DataFrame(pairs, columns=["field", "value"])
    frame["value"] = frame["value"].astype(object)
    return _guard_frame(frame)


def reach_frame(ctx: ReportContext) -> pd.DataFrame:
    columns = ["kind", "status", "url", "found_by", "confidence", "load_ms", "note"]
    return _guard_frame(
        pd.DataFrame([{c: r.get(c) for c in columns} for r in ctx.reach], columns=columns)
    )


def maturity_frame(ctx: ReportContext) -> pd.DataFrame | None:
    maturity = ctx.score.maturity
    if maturity is None:
        return None
    records = [
        {
            "key": r.key,
            "clause": r.clause,
            "title_zh": r.title_zh,
            "title_en": r.title_en,
            "level": r.level,
            "points": r.points,
            "max": r.max_points,
        }
        for r in maturity.rows
    ]
    return pd.DataFrame(records)


def integrity_text(problems: list[str] | None) -> str:
    if problems is None:
        return "not checked"
    if not problems:
        return "intact (every file matches its SHA-256 in the manifest)"
    return f"{len(problems)} problem(s): " + "; ".join(problems[:10])


def write_csv(ctx: ReportContext, path: Path) -> Path:
    # UTF-8 with BOM so Excel opens the Chinese titles correctly.
    item_frame(ctx).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def write_xlsx(ctx: ReportContext, path: Path) -> Path:
    sheets = {
        "Items": item_frame(ctx),
        "Summary": summary_frame(ctx),
        "Reach": reach_frame(ctx),
    }
    maturity = maturity_frame(ctx)
    if maturity is not None:
        sheets["Annex A"] = maturity
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            _tidy_sheet(writer.sheets[name], frame)
    return path


def _tidy_sheet(sheet: Any, frame: pd.DataFrame) -> None:
    """Readable widths, a frozen header row and a filter; long text wraps."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(frame.columns, start=1):
        longest = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
        width = min(60, max(8, longest + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
        if width >= 40:
            for cell in sheet[get_column_letter(index)][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
