"""What every report format shows, gathered once: store, run, score, reach table, item rows.

The HTML, spreadsheet and JSON writers all read this, so the formats cannot disagree.
Store text stays raw here; each writer escapes or guards it for its own format.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from b2cect.checks.registry import Item, catalogue, sort_key
from b2cect.checks.scoring import ItemScore, ScoreResult
from b2cect.checks.verdict import Verdict
from b2cect.crawler.bundle import PAGE_KINDS, Bundle, utc_now

from .thumbs import Thumbnail, ThumbnailCache, inside

SECTIONS = {
    "6.1": ("交易前", "Before the transaction"),
    "6.2": ("交易中", "During the transaction"),
    "6.3": ("交易后", "After the transaction"),
    "6.4": ("顾客互动", "Customer interaction"),
    "6.5": ("数据服务", "Data services"),
}
OUTCOME_ORDER = ("pass", "fail", "needs_review", "not_applicable", "error")
OUTCOME_LABELS = {
    "pass": "pass",
    "fail": "fail",
    "needs_review": "needs review",
    "not_applicable": "not applicable",
    "error": "check error",
}


def safe_href(url: str) -> str | None:
    """Only web addresses become links; anything else (javascript:, data:) stays text."""
    return url if urlsplit(url).scheme in ("http", "https") else None


@dataclass
class EvidenceView:
    step: str
    page: str
    url: str
    href: str | None
    selector: str
    excerpt: str
    note: str
    screenshot: str  # bundle-relative
    shot_href: str | None  # link from the report folder to the full screenshot
    thumb: Thumbnail | None  # only on the first evidence of a verdict showing that screenshot


@dataclass
class ItemRow:
    verdict: Verdict
    item: Item | None
    score: ItemScore | None
    evidence: list[EvidenceView] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.verdict.clause_id

    @property
    def section(self) -> str:
        return self.item.section if self.item else ".".join(self.id.split(".")[:2])

    @property
    def outcome(self) -> str:
        return self.verdict.outcome.value


@dataclass
class ReportContext:
    store: dict[str, Any]
    run: dict[str, Any]
    score: ScoreResult
    rows: list[ItemRow]
    reach: list[dict[str, Any]]
    counts: dict[str, int]
    timings: dict[str, Any]
    thumbnails: list[Thumbnail] = field(default_factory=list)

    def sections(self) -> list[dict[str, Any]]:
        grouped = []
        for sid, (zh, en) in SECTIONS.items():
            rows = [r for r in self.rows if r.section == sid]
            if rows:
                grouped.append({"id": sid, "title_zh": zh, "title_en": en, "rows": rows})
        return grouped


def build_context(
    out_dir: Path,
    verdicts: list[Verdict],
    bundle: Bundle | None,
    score: ScoreResult,
    run_info: dict[str, Any] | None,
) -> ReportContext:
    items = catalogue()
    scores = {row.clause_id: row for row in score.items}
    thumbs = ThumbnailCache(bundle.root) if bundle else None
    rows = [
        ItemRow(
            v,
            items.get(v.clause_id),
            scores.get(v.clause_id),
            _evidence_views(v, bundle, thumbs, out_dir),
        )
        for v in sorted(verdicts, key=lambda v: sort_key(v.clause_id))
    ]
    counts = {o: 0 for o in OUTCOME_ORDER}
    for v in verdicts:
        counts[v.outcome.value] += 1
    return ReportContext(
        store=dict(bundle.store) if bundle else dict((run_info or {}).get("store", {})),
        run=describe_run(bundle, run_info or {}),
        score=score,
        rows=rows,
        reach=reach_table(bundle) if bundle else [],
        counts=counts,
        timings=(bundle.fact("timings") or {}) if bundle else {},
        thumbnails=thumbs.thumbnails() if thumbs else [],
    )


def describe_run(bundle: Bundle | None, run_info: dict[str, Any]) -> dict[str, Any]:
    """Run facts for the header: what the caller said, filled in from the bundle manifest."""
    manifest = bundle.manifest if bundle else {}
    tool = manifest.get("tool", {})
    browser = manifest.get("browser", {})
    integrity = run_info.get("integrity")
    if integrity is None and bundle is not None:
        integrity = bundle.verify()
    extra = {k: v for k, v in run_info.items() if k not in ("integrity", "store")}
    return {
        **extra,
        "bundle": str(run_info.get("bundle") or (bundle.root.resolve() if bundle else "")),
        "started": run_info.get("started") or manifest.get("started", ""),
        "finished": run_info.get("finished") or manifest.get("finished", ""),
        "tool": run_info.get("tool") or f"{tool.get('name', 'b2cect')} {tool.get('version', '')}",
        "browser": run_info.get("browser")
        or " ".join(str(browser.get(k, "")) for k in ("name", "version")).strip(),
        "integrity": None if integrity is None else list(integrity),
        "command": run_info.get("command", ""),
        "generated": utc_now(),
    }


def reach_table(bundle: Bundle) -> list[dict[str, Any]]:
    """The manifest's reach table; rebuilt from page steps for bundles that lack one."""
    steps_by_kind: dict[str, list] = {}
    for step in bundle.steps:
        steps_by_kind.setdefault(step.kind, []).append(step)
    rows = [dict(r) for r in bundle.manifest.get("reach", []) if isinstance(r, dict)]
    if not rows:
        rows = [
            {
                "kind": step.kind,
                "status": step.status,
                "url": step.final_url or step.url,
                "found_by": step.found_by,
                "confidence": step.confidence,
                "note": step.error,
            }
            for step in bundle.steps
            if step.kind in PAGE_KINDS
        ]
    for row in rows:
        kind_steps = steps_by_kind.get(str(row.get("kind", "")), [])
        loads = [s.timings.get("load") for s in kind_steps if s.timings.get("load")]
        row["load_ms"] = round(min(loads)) if loads else None
        row["href"] = safe_href(str(row.get("url", "")))
    return rows


def _evidence_views(
    verdict: Verdict, bundle: Bundle | None, thumbs: ThumbnailCache | None, out_dir: Path
) -> list[EvidenceView]:
    views = []
    shown: set[str] = set()
    step_shots = {s.id: s.screenshot for s in bundle.steps} if bundle else {}
    for ev in verdict.evidence:
        shot = ev.screenshot or step_shots.get(ev.step, "")
        path = inside(bundle.root, shot) if (bundle and shot) else None
        thumb = None
        if path and thumbs and shot not in shown:
            thumb = thumbs.get(shot)
            shown.add(shot)
        views.append(
            EvidenceView(
                step=ev.step,
                page=ev.page,
                url=ev.url,
                href=safe_href(ev.url),
                selector=ev.selector,
                excerpt=ev.excerpt,
                note=ev.note,
                screenshot=shot,
                shot_href=_relative_href(path, out_dir) if path else None,
                thumb=thumb,
            )
        )
    return views


def _relative_href(path: Path, out_dir: Path) -> str:
    """A link that keeps working when the report and bundle folders move together."""
    try:
        rel = os.path.relpath(path, out_dir.resolve())
    except ValueError:  # other drive on Windows
        return path.as_uri()
    return quote(Path(rel).as_posix(), safe="/")
