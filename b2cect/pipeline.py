"""Gather, then judge: the steps every command shares, free of any command-line concerns."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from b2cect.checks import registry, scoring
from b2cect.checks.scoring import outcome_after_rating
from b2cect.checks.verdict import Outcome, Verdict
from b2cect.crawler.bundle import Bundle

# Exit codes: one meaning each, the same for scan, check and audit (README "Exit codes").
EXIT_OK = 0  # no objective item fails (after the auditor's overrides)
EXIT_FAILURES = 1  # at least one objective item fails
EXIT_NO_SCAN = 2  # could not run: bad URL, unreachable store, bad input file or bundle
EXIT_INTEGRITY = 3  # the bundle's SHA-256 check failed: altered, missing or unlisted files

# The manifest's `run.status` when the store could not be reached at all.


class InputError(Exception):
    """An input the command cannot use (bundle, auditor file, URL); exit code 2.

    The message is one line, fit to print as is."""


@dataclass
class ScoringInputs:
    """The auditor's files, parsed: points table, ratings and maturity answers."""

    points: scoring.PointTable
    ratings: scoring.Ratings | None = None
    maturity: scoring.MaturityAnswers | None = None
    files: dict[str, str] = field(default_factory=dict)  # which file gave what, for the report


def one_line(message: str) -> str:
    """A loader's multi-line problem list as one line."""
    return "; ".join(part.strip() for part in str(message).splitlines() if part.strip())


def load_scoring_inputs(
    points: Path | None = None, ratings: Path | None = None, maturity: Path | None = None
) -> ScoringInputs:
    """Parse the auditor's files with the real loaders, before anything is crawled or judged."""
    given = {"points": points, "ratings": ratings, "maturity": maturity}
    files = {k: str(v) for k, v in given.items() if v}
    for what, path in given.items():
        if path and not Path(path).is_file():
            raise InputError(f"--{what} {path}: no such file")
    try:
        return ScoringInputs(
            points=scoring.load_points(points),
            ratings=scoring.load_ratings(ratings) if ratings else None,
            maturity=scoring.load_maturity(maturity) if maturity else None,
            files=files,
        )
    except (OSError, UnicodeDecodeError, ValueError, KeyError) as exc:
        raise InputError(one_line(str(exc))) from None


def open_bundle(root: Path | str) -> Bundle:
    """A bundle folder, or InputError saying plainly why it cannot be read."""
    root = Path(root)
    if not root.exists():
        raise InputError(f"{root}: no such bundle folder")
    if not root.is_dir():
        raise InputError(f"{root}: a bundle is a folder, not a file")
    if not any(root.iterdir()):
        raise InputError(f"{root}: the folder is empty, not a b2cect bundle")
    try:
        return Bundle(root)
    except (OSError, UnicodeDecodeError, ValueError, TypeError) as exc:
        # json.JSONDecodeError is a ValueError: a truncated or edited manifest.
        raise InputError(f"{root}: unreadable bundle: {one_line(str(exc))}") from None


def check_url(url: str) -> str:
    """Only an http(s) address with a host is a store to scan."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(
            f"{url!r} is not an http(s) URL of a store (e.g. https://shop.example.cn/)"
        )
    return url


@dataclass
class AuditResult:
    bundle: Bundle
    verdicts: list[Verdict]
    score: scoring.ScoreResult
    integrity: list[str]  # problems found by the SHA-256 check; empty when the bundle is intact
    ratings: scoring.Ratings | None = None  # the auditor's answers, which override outcomes

    def counts(self) -> dict[str, int]:
        counts = {o.value: 0 for o in Outcome}
        for v in self.verdicts:
            counts[v.outcome.value] += 1
        return counts

    def final_outcomes(self) -> dict[str, str]:
        """{clause_id: outcome} after the auditor's overrides (ratings answers)."""
        return final_outcomes(self.verdicts, self.ratings)

    def objective_failures(self) -> list[str]:
        """Ids of objective items whose final outcome is fail."""
        items = registry.catalogue()
        return [
            cid
            for cid, outcome in self.final_outcomes().items()
            if outcome == Outcome.FAIL.value and items[cid].scoring == "objective"
        ]

    def could_not_run(self) -> str | None:
        """Why the scan saw nothing of the store (None when it did): the manifest's `run`
        status (Bundle.unreachable), or a bundle with no start page at all."""
        if not self.bundle.steps_of("home"):
            return "the bundle has no home step"
        return self.bundle.unreachable()

    def exit_code(self) -> int:
        if self.integrity:
            return EXIT_INTEGRITY
        if self.could_not_run():
            return EXIT_NO_SCAN
        return EXIT_FAILURES if self.objective_failures() else EXIT_OK


def threshold_score(score: scoring.ScoreResult) -> tuple[float, str]:
    """The score `--fail-under` compares: the final score once decided; before that, the
    points already earned (decided objective items and rated experience items; 0 when a veto
    holds), which the final score can only exceed."""
    if score.final is not None:
        return score.final, "final score"
    if score.e == 0:
        return 0.0, "final score (a veto holds)"
    return score.decided_score, "score earned so far (final score undecided)"


def final_outcomes(
    verdicts: list[Verdict], ratings: scoring.Ratings | None = None
) -> dict[str, str]:
    """The machine's outcomes with the auditor's answers applied: an item rated not applicable
    is not_applicable, a rated objective item pass (alpha 1) or fail (alpha 0)."""
    rated = ratings.items if ratings else {}
    items = registry.catalogue()
    outcomes = {}
    for verdict in verdicts:
        outcome = verdict.outcome.value
        rating = rated.get(verdict.clause_id)
        if rating is not None:
            scoring_kind = items[verdict.clause_id].scoring
            outcome = outcome_after_rating(
                outcome, scoring_kind, rating.not_applicable, rating.alpha
            )
        outcomes[verdict.clause_id] = outcome
    return outcomes


def audit(
    bundle_dir: Path | Bundle,
    selectors: list[str] | None = None,
    points: Path | None = None,
    ratings: Path | None = None,
    maturity: Path | None = None,
    inputs: ScoringInputs | None = None,
) -> AuditResult:
    """Judge a bundle (all items, or the selected ones) and score it. No browser, no network.

    Raises InputError for a bundle or auditor file that cannot be read."""
    inputs = inputs or load_scoring_inputs(points, ratings, maturity)
    bundle = bundle_dir if isinstance(bundle_dir, Bundle) else open_bundle(bundle_dir)
    verdicts = registry.run(bundle, selectors)
    score = scoring.score(
        verdicts, points=inputs.points, ratings=inputs.ratings, maturity=inputs.maturity
    )
    return AuditResult(bundle, verdicts, score, bundle.verify(), inputs.ratings)


# --- which b2cect judged ---------------------------------------------------------------------
JUDGE_FILES = ("catalogue.csv", "*.py", "*.yaml")


def checks_sha256() -> str:
    """One SHA-256 over the catalogue and every check module, in name order: two reports with
    the same hash were judged by the same rules, whatever the scanner's version."""
    folder = Path(registry.__file__).parent
    digest = hashlib.sha256()
    paths = sorted({p for pattern in JUDGE_FILES for p in folder.glob(pattern)})
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def report_run_info(result: AuditResult, command: str, inputs: ScoringInputs | None = None) -> dict:
    """What every report of a judged bundle records about the run (CLI and fleet alike)."""
    return {
        "command": command,
        "integrity": result.integrity,
        "manifest_sha256": result.bundle.manifest_sha256(),
        "judge": judge_info(),
        "auditor_files": dict(inputs.files) if inputs else {},
    }


def judge_info() -> dict[str, str]:
    """Which b2cect judged the bundle (report.json `run.judge`), apart from the scanner."""
    try:
        version = metadata.version("b2cect")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        version = "unknown"
    return {"name": "b2cect", "version": version, "checks_sha256": checks_sha256()}


# --- output folders --------------------------------------------------------------------------
def default_out_dir(url: str, base: Path = Path("b2cect-out")) -> Path:
    """b2cect-out/<host>[_<port>]-<path hash>-<time to the microsecond>, created here and
    only here: two scans (two sellers on one host, or the same store twice) never share it."""
    parts = urlsplit(url)
    host = (parts.hostname or "store").replace(":", "_")
    if parts.port:
        host += f"_{parts.port}"
    where = hashlib.sha256((parts.path or "/").encode()).hexdigest()[:6]
    return new_folder(base / f"{host}-{where}-{datetime.now():%Y%m%d-%H%M%S-%f}")


def new_folder(path: Path) -> Path:
    """Create `path`, or `path-2`, `path-3`... when taken; never reuses an existing folder."""
    candidate, n = path, 1
    while True:
        try:
            candidate.parent.mkdir(parents=True, exist_ok=True)
            candidate.mkdir()
            return candidate
        except FileExistsError:
            n += 1
            candidate = path.with_name(f"{path.name}-{n}")
        except OSError as exc:
            raise InputError(f"cannot create {candidate}: {exc.strerror or exc}") from None


def audit_out_dir(bundle_dir: Path) -> Path:
    """Default output folder of `audit`: a timestamped folder beside the bundle."""
    return new_folder(bundle_dir.resolve().parent / f"audit-{datetime.now():%Y%m%d-%H%M%S-%f}")


def claim_out_dir(out: Path, *parts: str) -> Path:
    """An --out folder given by the user: it may exist, but must not hold a previous run's
    `report` or `bundle` (no run ever overwrites another's)."""
    taken = [p for p in parts if (out / p).exists()]
    if taken:
        raise InputError(f"{out / taken[0]} already exists; choose another --out")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {out}: {exc.strerror or exc}") from None
    return out
