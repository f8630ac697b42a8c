"""Compare two judgements of a store: which items changed verdict, regressions first, and how
the score moved. `compare` works on plain {clause_id: outcome} maps so any stored scan (a
report.json, a bundle re-judged, a database row) can be compared; `load_judgement` reads the
first two.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from b2cect.checks.registry import sort_key
from b2cect.checks.scoring import AUDITOR_NOT_APPLICABLE, outcome_after_rating

# How good an outcome is for the store: higher is better. not_applicable is as good as a
# pass (it scores full points); needs_review and error decide nothing either way.
OUTCOME_RANK = {"fail": 0, "error": 1, "needs_review": 1, "pass": 2, "not_applicable": 2}
REGRESSION = "regression"  # the item fails now and did not before
WORSE = "worse"  # lower rank, short of failing (pass -> needs_review)
BETTER = "better"
CHANGED = "changed"  # same rank (pass <-> not_applicable, needs_review <-> error)
ADDED = "added"  # judged only in the new run
REMOVED = "removed"  # judged only in the old run
KIND_ORDER = (REGRESSION, WORSE, CHANGED, BETTER, ADDED, REMOVED)


@dataclass(frozen=True)
class Change:
    clause_id: str
    old: str | None
    new: str | None
    kind: str


@dataclass(frozen=True)
class Score:
    """The two numbers worth comparing: Annex B objective score and the final score (None
    while items are unrated or vetoes unanswered)."""

    objective: float | None = None
    final: float | None = None


@dataclass
class Comparison:
    changes: list[Change]
    old_score: Score = field(default_factory=Score)
    new_score: Score = field(default_factory=Score)

    @property
    def regressions(self) -> list[Change]:
        return [c for c in self.changes if c.kind == REGRESSION]

    def delta(self, which: str) -> float | None:
        old, new = getattr(self.old_score, which), getattr(self.new_score, which)
        return None if old is None or new is None else round(new - old, 4)


def classify(old: str | None, new: str | None) -> str:
    if old is None:
        return ADDED
    if new is None:
        return REMOVED
    if new == "fail":
        return REGRESSION
    before, after = OUTCOME_RANK.get(old, 1), OUTCOME_RANK.get(new, 1)
    if after < before:
        return WORSE
    return BETTER if after > before else CHANGED


def compare(
    old: Mapping[str, str],
    new: Mapping[str, str],
    old_score: Score | None = None,
    new_score: Score | None = None,
) -> Comparison:
    """Items whose outcome differs between two runs, regressions first, then by item id."""
    changes = [
        Change(cid, old.get(cid), new.get(cid), classify(old.get(cid), new.get(cid)))
        for cid in set(old) | set(new)
        if old.get(cid) != new.get(cid)
    ]
    changes.sort(key=lambda c: (KIND_ORDER.index(c.kind), sort_key(c.clause_id)))
    return Comparison(changes, old_score or Score(), new_score or Score())


def load_judgement(path: Path) -> tuple[dict[str, str], Score]:
    """Final outcomes and score from a report.json, a report folder holding one, or a bundle
    folder (judged now, offline). ValueError/OSError for anything else."""
    path = Path(path)
    if path.is_dir() and (path / "report.json").is_file():
        path = path / "report.json"
    if path.is_file():
        return _from_report(path)
    from b2cect import pipeline

    result = pipeline.audit(path)
    return result.final_outcomes(), Score(result.score.objective_score, result.score.final)


def _from_report(path: Path) -> tuple[dict[str, str], Score]:
    from b2cect.reports.write import REPORT_SCHEMA

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("schema") != REPORT_SCHEMA:
        raise ValueError(f"{path}: not a b2cect report.json")
    outcomes = {}
    for entry in data.get("verdicts", []):
        # The report's own final outcomes add "rated"/"unrated" for experience items; compared
        # with a bundle judged now, those must read as the outcomes pipeline.final_outcomes gives.
        final = entry.get("final_outcome")
        outcomes[entry["clause_id"]] = final if final in OUTCOME_RANK else _final(entry)
    score = data.get("score") or {}
    return outcomes, Score(score.get("objective_score"), score.get("final"))


def _final(entry: dict) -> str:
    """The outcome after the auditor's answer, for reports that do not state it."""
    row = entry.get("score") or {}
    if row.get("source") != "auditor":
        return entry["outcome"]
    not_applicable = str(row.get("note", "")).startswith(AUDITOR_NOT_APPLICABLE)
    return outcome_after_rating(
        entry["outcome"], str(row.get("scoring", "")), not_applicable, row.get("alpha")
    )
