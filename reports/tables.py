"""report.csv and report.xlsx: one row per item, for auditors who filter and sort.

Store text lands in cells, so every text cell is guarded: a value that starts like a formula
(= + - @, tab, carriage return) gets a leading apostrophe, so Excel and LibreOffice show it as
text instead of running it; control characters that openpyxl refuses are dropped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pandas as pd
from b2cect.checks.scoring import E_CONDITIONS, M_CONDITIONS, SOURCE_AUDITOR, maturity_table

from .context import OUTCOME_LABELS, ReportContext
from .i18n import VETO_ZH

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
    "final_outcome",
    "reason",
    "reason_zh",
    "points",
    "alpha",
    "auditor_level",
    "score_source",
    "contribution",
    "note",
    "evidence_page",
    "evidence_url",
    "evidence_selector",
    "evidence_excerpt",
    "screenshot",
    "evidence_count",
    "hints",
]
# The workbook's Items sheet: the evidence columns move to a sheet of their own.
FIRST_EVIDENCE_COLUMNS = {
    "evidence_page",
    "evidence_url",
    "evidence_selector",
    "evidence_excerpt",
    "screenshot",
}
WORKBOOK_ITEM_COLUMNS = [c for c in ITEM_COLUMNS if c not in FIRST_EVIDENCE_COLUMNS]
EVIDENCE_COLUMNS = [
    "id",
    "n",
    "outcome",
    "page",
    "url",
    "selector",
    "excerpt",
    "note",
    "screenshot",
]
HEADERS_ZH = {
    "id": "条款",
    "section": "章节",
    "stage": "环节",
    "scoring": "计分方式",
    "evidence_kind": "证据类型",
    "title_zh": "中文名称",
    "title_en": "英文名称",
    "outcome": "机器结论",
    "final_outcome": "最终结论",
    "reason": "理由",
    "reason_zh": "理由（中文）",
    "points": "分值",
    "alpha": "α",
    "auditor_level": "审核员等级",
    "score_source": "计分来源",
    "contribution": "得分",
    "note": "备注",
    "evidence_count": "证据数",
    "hints": "提示",
    "n": "序号",
    "page": "页面",
    "url": "网址",
    "selector": "选择器",
    "excerpt": "摘录",
    "screenshot": "截图",
    "field": "项目",
    "value": "值",
    "key": "编号",
    "condition": "条件",
    "condition_zh": "条件（中文）",
    "status": "状态",
    "source": "来源",
    "clause": "条款",
    "level": "等级",
    "max": "满分",
    "kind": "页面类型",
    "found_by": "发现方式",
    "confidence": "置信度",
    "load_ms": "加载（毫秒）",
}


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
        auditor = score is not None and score.source == SOURCE_AUDITOR
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
                "final_outcome": row.final,
                "reason": row.verdict.reason,
                "reason_zh": row.reason_zh,
                "points": score.points if score else None,
                "alpha": score.alpha if score else None,
                "auditor_level": score.level if auditor else None,
                "score_source": score.source if score else "",
                "contribution": round(score.contribution, 4)
                if score and score.contribution is not None
                else None,
                "note": score.note if score else "",
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


def evidence_frame(ctx: ReportContext) -> pd.DataFrame:
    """One row per evidence; `screenshot` is the copy in the report folder (a link)."""
    records = [
        {
            "id": row.id,
            "n": n,
            "outcome": row.final,
            "page": ev.page,
            "url": ev.url,
            "selector": ev.selector,
            "excerpt": ev.excerpt,
            "note": ev.note,
            "screenshot": unquote(ev.shot_href) if ev.shot_href else "",
        }
        for row in ctx.rows
        for n, ev in enumerate(row.evidence, start=1)
    ]
    return _guard_frame(pd.DataFrame.from_records(records, columns=EVIDENCE_COLUMNS))


def summary_frame(ctx: ReportContext) -> pd.DataFrame:
    score = ctx.score
    maturity = score.maturity
    pairs: list[tuple[str, Any]] = [
        ("store", ctx.store.get("name", "")),
        ("store URL", ctx.store.get("url", "")),
        ("scan started", ctx.run.get("started", "")),
        ("scan finished", ctx.run.get("finished", "")),
        ("tool", ctx.run.get("tool", "")),
        ("browser", ctx.run.get("browser", "")),
        ("bundle", ctx.run.get("bundle", "")),
        ("manifest SHA-256", ctx.run.get("manifest_sha256", "")),
        ("bundle integrity", integrity_text(ctx.run.get("integrity"))),
        (
            "point table",
            "b2cect DEFAULT weights - not the official Table B.1 values"
            if score.points_are_default
            else "custom",
        ),
        ("points file", score.points_source),
        ("ratings file", score.ratings_source or "none"),
        ("maturity file", (maturity.source or "none") if maturity else "none"),
        ("objective score (decided)", round(score.objective_score, 2)),
        ("experience score (rated)", round(score.experience_score, 2)),
        ("undecided points", round(score.undecided_points, 2)),
        ("E (veto coefficient)", score.e if score.e is not None else score.e_text()),
    ]
    if score.final is not None:
        pairs.append(("final score", round(score.final, 2)))
    else:
        pairs += [
            ("final score at least", round(score.final_min, 2)),
            ("final score at most", round(score.final_max, 2)),
        ]
    pairs += [
        ("machine-checkable items decided", score.coverage_decided),
        ("machine-checkable items", score.coverage_total),
    ]
    pairs += [(f"items {OUTCOME_LABELS[k]} (machine)", n) for k, n in ctx.counts.items()]
    pairs += [(f"items {OUTCOME_LABELS[k]} (final)", n) for k, n in ctx.final_counts.items()]
    if maturity is None:
        pairs.append(("Annex A maturity", "not assessed"))
    else:
        pairs += [
            ("Annex A total", maturity.total),
            ("Annex A M", "unknown" if maturity.m is None else maturity.m),
            ("Annex A score", "unknown" if maturity.score is None else maturity.score),
            ("Annex A grade", maturity.grade if maturity.grade is not None else "none"),
            ("Annex A reading", maturity.grade_note),
        ]
    pairs += [(f"policy: {k}", v) for k, v in score.policies.items()]
    frame = pd.DataFrame(pairs, columns=["field", "value"])
    frame["value"] = frame["value"].astype(object)
    return _guard_frame(frame)


def veto_frame(ctx: ReportContext) -> pd.DataFrame:
    """E1-E4 always; M1-M5 as answered, or unknown when Annex A was not assessed."""
    vetoes = list(ctx.score.vetoes)
    if ctx.score.maturity is not None:
        vetoes += ctx.score.maturity.vetoes
    known = {v.key: v for v in vetoes}
    records = []
    for key, (_name, text) in {**E_CONDITIONS, **M_CONDITIONS}.items():
        v = known.get(key)
        records.append(
            {
                "key": key,
                "condition": text,
                "condition_zh": VETO_ZH.get(key, ""),
                "status": v.status if v else "unknown",
                "source": v.source if v else "unknown",
                "reason": v.reason if v else "not assessed (--maturity FILE)",
            }
        )
    return _guard_frame(pd.DataFrame.from_records(records))


def reach_frame(ctx: ReportContext) -> pd.DataFrame:
    columns = ["kind", "status", "url", "found_by", "confidence", "load_ms", "note"]
    return _guard_frame(
        pd.DataFrame([{c: r.get(c) for c in columns} for r in ctx.reach], columns=columns)
    )


def maturity_frame(ctx: ReportContext) -> pd.DataFrame:
    """The 15 Annex A rows; level and points blank while not assessed."""
    maturity = ctx.score.maturity
    assessed = {r.key: r for r in maturity.rows} if maturity else {}
    records = []
    for clause in maturity_table():
        row = assessed.get(clause.key)
        records.append(
            {
                "key": clause.key,
                "clause": clause.clause,
                "title_zh": clause.title_zh,
                "title_en": clause.title_en,
                "level": row.level if row else None,
                "points": row.points if row else None,
                "max": clause.max_points,
            }
        )
    return pd.DataFrame(records)


def integrity_text(problems: list[str] | None) -> str:
    if problems is None:
        return "not checked"
    if not problems:
        return "intact (every file matches its SHA-256 in the manifest)"
    return f"{len(problems)} problem(s): " + "; ".join(problems[:10])


def write_csv(ctx: ReportContext, path: Path) -> Path:
    # UTF-8 with BOM so Excel opens the Chinese titles correctly. Column names stay the keys
    # (docs): the CSV is for programs; the workbook is for people.
    item_frame(ctx).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def header(key: str, lang: str) -> str:
    """A column header in the report's language: the key, its Chinese, or both."""
    zh = HEADERS_ZH.get(key, key)
    if lang == "en" or zh == key:
        return key
    return zh if lang == "zh" else f"{key} / {zh}"


def write_xlsx(ctx: ReportContext, path: Path) -> Path:
    """The workbook to file: Summary first, then Items, Evidence, Vetoes, Annex A, Reach."""
    sheets = {
        "Summary": summary_frame(ctx),
        "Items": item_frame(ctx)[WORKBOOK_ITEM_COLUMNS],
        "Evidence": evidence_frame(ctx),
        "Vetoes": veto_frame(ctx),
        "Annex A": maturity_frame(ctx),
        "Reach": reach_frame(ctx),
    }
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            shown = frame.rename(columns={c: header(c, ctx.lang) for c in frame.columns})
            shown.to_excel(writer, sheet_name=name, index=False)
            _tidy_sheet(writer.sheets[name], shown)
        _link_screenshots(writer.sheets["Evidence"], sheets["Evidence"])
    return path


def _link_screenshots(sheet: Any, frame: pd.DataFrame) -> None:
    """Screenshot cells link to the copies beside the workbook (relative, so the folder moves)."""
    column = frame.columns.get_loc("screenshot") + 1
    for offset, target in enumerate(frame["screenshot"], start=2):
        if target:
            cell = sheet.cell(row=offset, column=column)
            cell.hyperlink = target
            cell.style = "Hyperlink"


def _tidy_sheet(sheet: Any, frame: pd.DataFrame) -> None:
    """Readable widths, wrapped text, a frozen and repeated header row, a filter, and pages
    that print landscape, one page wide."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(frame.columns, start=1):
        longest = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
        width = min(60, max(8, longest + 2))
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
        for cell in sheet[letter][1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
