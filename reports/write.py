"""Write a scan's reports: report.html, report.xlsx, report.csv and report.json in one folder.

The HTML is one file (inline CSS, embedded thumbnails and crops, one small inline filter script,
full screenshots copied into screens/ beside it)
rendered by Jinja2 with autoescaping on: storefront text is hostile and must only ever show as
text. The JSON keeps everything a program needs to compare runs (`load_verdicts_json`).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from b2cect.checks.registry import catalogue
from b2cect.checks.scoring import (
    GRADE_READING,
    LIKERT_BANDS,
    ScoreResult,
    compute_score,
)
from b2cect.checks.verdict import Verdict
from b2cect.crawler.bundle import Bundle
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .context import (
    FINAL_ORDER,
    OUTCOME_LABELS,
    OUTCOME_LABELS_ZH,
    OUTCOME_ORDER,
    ReportContext,
    build_context,
)
from .i18n import GRADE_READING_ZH, POLICY_ZH, VETO_SOURCE_ZH, VETO_STATUS_ZH, VETO_ZH, Wording
from .tables import integrity_text, write_csv, write_xlsx

REPORT_SCHEMA = "b2cect-report"
REPORT_SCHEMA_VERSION = 1
TEMPLATES = Path(__file__).with_name("templates")
EXCERPT_CHARS = 400  # in the HTML; the JSON keeps excerpts whole


def write_reports(
    out_dir: Path,
    verdicts: list[Verdict],
    bundle: Bundle | None,
    score: ScoreResult | None = None,
    run_info: dict[str, Any] | None = None,
    lang: str = "both",
) -> dict[str, Path]:
    """Write the four report files into out_dir; returns {"html"|"xlsx"|"csv"|"json": path}.

    lang: "both" (English with Chinese beside it), "zh" or "en", for the HTML and the workbook;
    the JSON always carries both (reason and reason_zh). Cited screenshots are copied into
    out_dir/screens/ so the folder stands alone.

    run_info (all optional): command, integrity (list of problems from Bundle.verify(); checked
    here when absent), bundle, started, finished, tool, browser, ratings, maturity, and any other
    key, which is shown in the header's run details and kept in the JSON.
    """
    ctx = report_context(out_dir, verdicts, bundle, score, run_info, lang)
    return write_report_files(ctx, Path(out_dir))


def report_context(
    out_dir: Path,
    verdicts: list[Verdict],
    bundle: Bundle | None,
    score: ScoreResult | None = None,
    run_info: dict[str, Any] | None = None,
    lang: str = "both",
) -> ReportContext:
    """Everything the report files show, built once (crops and screenshot copies included) and
    shared by the four files and the PDF."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    verdicts = list(verdicts)
    score = score or compute_score(verdicts)
    return build_context(out_dir, verdicts, bundle, score, run_info, lang)


def write_report_files(ctx: ReportContext, out_dir: Path) -> dict[str, Path]:
    """The four report files of a context built for `out_dir` (report_context)."""
    return {
        "html": write_html(ctx, out_dir / "report.html"),
        "xlsx": write_xlsx(ctx, out_dir / "report.xlsx"),
        "csv": write_csv(ctx, out_dir / "report.csv"),
        "json": write_json(ctx, out_dir / "report.json"),
    }


# --- HTML -----------------------------------------------------------------------------------
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its extension
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pts"] = _points
    env.filters["clip"] = _clip
    env.filters["when"] = _when
    return env


def _points(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.0f}"


def _when(stamp: str) -> str:
    """ "2024-05-01T08:30:00+00:00" -> "2024-05-01 08:30:00 UTC"; other text unchanged."""
    if not stamp:
        return "–"
    try:
        moment = datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    if moment.utcoffset() == timedelta(0):
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    return moment.isoformat(sep=" ")


def _clip(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_html(ctx: ReportContext, template_name: str = "report.html.j2", **extra: Any) -> str:
    """The report page (or another template of this folder) for ctx, as a string."""
    crops = {}
    for row in ctx.rows:
        for ev in row.evidence:
            if ev.crop is not None:
                crops[ev.crop.css_class] = ev.crop
    template = _environment().get_template(template_name)
    return template.render(
        w=Wording(ctx.lang),
        crops=list(crops.values()),
        final_order=FINAL_ORDER,
        final_counts=ctx.final_counts,
        outcome_labels_zh=OUTCOME_LABELS_ZH,
        veto_zh=VETO_ZH,
        veto_status_zh=VETO_STATUS_ZH,
        veto_source_zh=VETO_SOURCE_ZH,
        policy_zh=POLICY_ZH,
        grade_reading_zh=GRADE_READING_ZH,
        ctx=ctx,
        store=ctx.store,
        run=ctx.run,
        score=ctx.score,
        sections=ctx.sections(),
        counts=ctx.counts,
        outcome_order=OUTCOME_ORDER,
        outcome_labels=OUTCOME_LABELS,
        integrity=integrity_text(ctx.run.get("integrity")),
        integrity_ok=ctx.run.get("integrity") == [],
        grade_reading=GRADE_READING,
        likert_bands=LIKERT_BANDS,
        objective_points=sum(r.points for r in ctx.score.items if r.scoring == "objective"),
        experience_points=sum(r.points for r in ctx.score.items if r.scoring == "experience"),
        **extra,
    )


def write_html(ctx: ReportContext, path: Path) -> Path:
    path.write_text(render_html(ctx), encoding="utf-8")
    return path


# --- JSON -----------------------------------------------------------------------------------
def write_json(ctx: ReportContext, path: Path) -> Path:
    verdicts = []
    for row in ctx.rows:
        entry = row.verdict.to_dict()
        item = row.item
        entry.update(
            {
                "final_outcome": row.final,
                "section": row.section,
                "title_zh": item.title_zh if item else "",
                "title_en": item.title_en if item else "",
                "stage": item.stage if item else "",
                "scoring": item.scoring if item else "",
                "evidence_kind": item.evidence if item else "",
                "score": row.score.to_dict() if row.score else None,
            }
        )
        verdicts.append(entry)
    data = {
        "schema": REPORT_SCHEMA,
        "schema_version": REPORT_SCHEMA_VERSION,
        "store": ctx.store,
        "run": ctx.run,
        "counts": ctx.counts,
        "score": ctx.score.to_dict(),
        "reach": [{k: v for k, v in r.items() if k != "href"} for r in ctx.reach],
        "timings": ctx.timings,
        "verdicts": verdicts,
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return path


def load_verdicts_json(path: Path | str) -> list[Verdict]:
    """The verdicts of a report.json, e.g. to compare a live scan with an offline audit."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("schema") != REPORT_SCHEMA:
        raise ValueError(f"{path}: not a {REPORT_SCHEMA} file")
    if int(data.get("schema_version", 0)) > REPORT_SCHEMA_VERSION:
        raise ValueError(
            f"{path}: report schema {data['schema_version']} is newer than this b2cect"
        )
    known = catalogue()
    verdicts = [Verdict.from_dict(entry) for entry in data.get("verdicts", [])]
    unknown = [v.clause_id for v in verdicts if v.clause_id not in known]
    if unknown:
        raise ValueError(f"{path}: unknown item ids {unknown}")
    return verdicts
