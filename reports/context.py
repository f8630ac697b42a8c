"""What every report format shows, gathered once: store, run, score, reach table, item rows.

The HTML, spreadsheet and JSON writers all read this, so the formats cannot disagree.
Store text stays raw here; each writer escapes or guards it for its own format.
"""

from __future__ import annotations

import html
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from b2cect.checks.reasons_zh import zh_or_en
from b2cect.checks.registry import Item, catalogue, sort_key
from b2cect.checks.scoring import (
    AUDITOR_NOT_APPLICABLE,
    SOURCE_AUDITOR,
    ItemScore,
    ScoreResult,
    outcome_after_rating,
)
from b2cect.checks.verdict import Verdict
from b2cect.crawler.bundle import PAGE_KINDS, Bundle, utc_now

from .crops import CropMaker
from .thumbs import MAX_SOURCE_BYTES, Thumbnail, ThumbnailCache, inside

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
    "rated": "rated",
    "unrated": "unrated",
}
OUTCOME_LABELS_ZH = {
    "pass": "符合",
    "fail": "不符合",
    "needs_review": "待人工审核",
    "not_applicable": "不适用",
    "error": "检查出错",
    "rated": "已评分",
    "unrated": "未评分",
}
# The final outcome adds two to the machine's: an experience item the auditor rated, or not yet.
FINAL_ORDER = ("fail", "needs_review", "unrated", "error", "pass", "rated", "not_applicable")
FINDINGS = ("fail", "needs_review", "unrated", "error")  # what the auditor must act on
LANGS = ("both", "zh", "en")
SCREENS_DIR = "screens"  # full screenshots copied into the report folder


def final_outcome(verdict: Verdict, item: Item | None, score: ItemScore | None) -> str:
    """The outcome after the auditor: a rating overrides the machine; experience items the
    machine could not decide, or saw no fault in, stay unrated until the auditor rates them."""
    experience = item is not None and item.scoring == "experience"
    machine = verdict.outcome.value
    if score is not None and score.source == SOURCE_AUDITOR:
        not_applicable = score.note.startswith(AUDITOR_NOT_APPLICABLE)
        if experience and not not_applicable:
            return "rated"
        return outcome_after_rating(machine, "objective", not_applicable, score.alpha)
    if experience and machine in ("pass", "needs_review"):
        return "unrated"
    return machine


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
    crop: Thumbnail | None = None  # the screenshot around the evidence's selector, when known
    note_zh: str = ""


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
        """The machine's outcome."""
        return self.verdict.outcome.value

    @property
    def final(self) -> str:
        """The outcome after the auditor's ratings (see final_outcome)."""
        return final_outcome(self.verdict, self.item, self.score)

    @property
    def is_finding(self) -> bool:
        return self.final in FINDINGS

    @property
    def overridden(self) -> bool:
        return self.final != self.outcome

    @property
    def reason_zh(self) -> str:
        return zh_or_en(self.verdict.reason)

    @property
    def hints_zh(self) -> list[str]:
        return [zh_or_en(h) for h in self.verdict.hints]


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
    lang: str = "both"

    @property
    def findings(self) -> list[ItemRow]:
        """Failed, needs-review, unrated and errored items, failures first."""
        rank = {o: n for n, o in enumerate(FINAL_ORDER)}
        return sorted(
            (r for r in self.rows if r.is_finding),
            key=lambda r: (rank[r.final], sort_key(r.id)),
        )

    @property
    def final_counts(self) -> dict[str, int]:
        counts = {o: 0 for o in FINAL_ORDER}
        for row in self.rows:
            counts[row.final] += 1
        return counts

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
    lang: str = "both",
) -> ReportContext:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    items = catalogue()
    scores = {row.clause_id: row for row in score.items}
    thumbs = ThumbnailCache(bundle.root) if bundle else None
    screens = ScreenCopies(bundle.root, out_dir) if bundle else None
    crops = CropMaker(bundle) if bundle else None
    # Evidence that names only its step shows that step's screenshot.
    step_shots = {s.id: s.screenshot for s in bundle.steps} if bundle else {}
    rows = [
        ItemRow(
            v,
            items.get(v.clause_id),
            scores.get(v.clause_id),
            _evidence_views(v, step_shots, thumbs, screens, crops),
        )
        for v in sorted(verdicts, key=lambda v: sort_key(v.clause_id))
    ]
    counts = {o: 0 for o in OUTCOME_ORDER}
    for v in verdicts:
        counts[v.outcome.value] += 1
    store = dict(bundle.store) if bundle else dict((run_info or {}).get("store", {}))
    if isinstance(store.get("name"), str):
        # Names read from a page's markup may still carry entities ("M&amp;S"); the report
        # escapes once, so the name must be plain text first.
        store["name"] = html.unescape(store["name"])
    return ReportContext(
        store=store,
        run=describe_run(bundle, run_info or {}),
        score=score,
        rows=rows,
        reach=reach_table(bundle) if bundle else [],
        counts=counts,
        timings=(bundle.fact("timings") or {}) if bundle else {},
        thumbnails=thumbs.thumbnails() if thumbs else [],
        lang=lang,
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
        "manifest_sha256": run_info.get("manifest_sha256")
        or (bundle.manifest_sha256() if bundle else ""),
        "command": run_info.get("command", ""),
        "generated": utc_now(),
        # How the scan went: "unreachable" when the store could not be opened, and orders the
        # store created although the crawler pressed no order control (crawler/guard.py).
        "status": (manifest.get("run") or {}).get("status", ""),
        "status_reason": (manifest.get("run") or {}).get("reason", ""),
        "incidents": list((manifest.get("run") or {}).get("incidents") or []),
        "guard": order_guard_view(bundle),
    }


GUARD_ROWS_SHOWN = 60


def order_guard_view(bundle: Bundle | None) -> dict[str, Any]:
    """The order guard's decisions for the journey table: requests held back first, then the
    data-sending requests it let through (the ones an auditor wants to see), bounded."""
    fact = (bundle.fact("order_guard") or {}) if bundle else {}
    if not fact:
        return {}
    rows = [r for r in fact.get("decisions") or [] if isinstance(r, dict)]
    held = [r for r in rows if r.get("decision") == "blocked"]
    sent = [r for r in rows if r.get("decision") == "allowed" and r.get("method") != "GET"]
    return {
        "mode": fact.get("mode", ""),
        "allowed": fact.get("allowed", 0),
        "blocked": fact.get("blocked", 0),
        "rows": (held + sent)[:GUARD_ROWS_SHOWN],
        "more": max(0, len(held) + len(sent) - GUARD_ROWS_SHOWN),
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


class ScreenCopies:
    """Copies the screenshots a report cites into <report>/screens/, so the folder stands alone.

    Each file is copied once; a file outside the bundle, missing or oversized is not copied.
    """

    def __init__(self, root: Path, out_dir: Path):
        self.root = root
        self.out_dir = out_dir
        self._done: dict[str, str | None] = {}

    def href(self, relative: str) -> str | None:
        """The report-relative link to the copy of a bundle-relative screenshot."""
        if relative not in self._done:
            self._done[relative] = self._copy(relative)
        return self._done[relative]

    def _copy(self, relative: str) -> str | None:
        source = inside(self.root, relative)
        if source is None or source.stat().st_size > MAX_SOURCE_BYTES:
            return None
        parts = source.relative_to(self.root.resolve()).parts
        if parts[0] == SCREENS_DIR:  # screens/home.jpg -> <report>/screens/home.jpg
            parts = parts[1:]
        target = self.out_dir.joinpath(SCREENS_DIR, *parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return quote(target.relative_to(self.out_dir).as_posix(), safe="/")


def _evidence_views(
    verdict: Verdict,
    step_shots: dict[str, str],
    thumbs: ThumbnailCache | None,
    screens: ScreenCopies | None,
    crops: CropMaker | None,
) -> list[EvidenceView]:
    views = []
    shown: set[str] = set()
    for ev in verdict.evidence:
        shot = ev.screenshot or step_shots.get(ev.step, "")
        href = screens.href(shot) if (screens and shot) else None
        thumb = None
        if href and thumbs and shot not in shown:
            thumb = thumbs.get(shot)
            shown.add(shot)
        crop = crops.crop(ev.step, ev.selector, shot) if (crops and href and ev.selector) else None
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
                shot_href=href,
                thumb=thumb,
                crop=crop,
                note_zh=zh_or_en(ev.note) if ev.note else "",
            )
        )
    return views
