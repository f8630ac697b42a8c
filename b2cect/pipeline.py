"""Gather, then judge: the steps every command shares, free of any command-line concerns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from b2cect.checks import registry, scoring
from b2cect.checks.verdict import Outcome, Verdict
from b2cect.crawler.bundle import Bundle

EXIT_OK = 0  # no objective item failed
EXIT_FAILURES = 1  # at least one objective item failed
EXIT_NO_SCAN = 2  # the scan itself could not run


@dataclass
class AuditResult:
    bundle: Bundle
    verdicts: list[Verdict]
    score: scoring.ScoreResult
    integrity: list[str]  # problems found by the SHA-256 check; empty when the bundle is intact

    def counts(self) -> dict[str, int]:
        counts = {o.value: 0 for o in Outcome}
        for v in self.verdicts:
            counts[v.outcome.value] += 1
        return counts

    def objective_failures(self) -> list[Verdict]:
        items = registry.catalogue()
        return [
            v
            for v in self.verdicts
            if v.outcome is Outcome.FAIL and items[v.clause_id].scoring == "objective"
        ]

    def exit_code(self) -> int:
        return EXIT_FAILURES if self.objective_failures() else EXIT_OK


def audit(
    bundle_dir: Path,
    selectors: list[str] | None = None,
    points: Path | None = None,
    ratings: Path | None = None,
    maturity: Path | None = None,
) -> AuditResult:
    """Judge a bundle (all items, or the selected ones) and score it. No browser, no network."""
    bundle = Bundle(bundle_dir)
    verdicts = registry.run(bundle, selectors)
    score = scoring.score(
        verdicts,
        points=scoring.load_points(points),
        ratings=scoring.load_ratings(ratings) if ratings else None,
        maturity=scoring.load_maturity(maturity) if maturity else None,
    )
    return AuditResult(bundle, verdicts, score, bundle.verify())


def default_out_dir(url: str, base: Path = Path("b2cect-out")) -> Path:
    host = (urlsplit(url).hostname or "store").replace(":", "_")
    return base / f"{host}-{datetime.now():%Y%m%d-%H%M%S}"
