"""The catalogue of Chapter 6 items and the check functions that judge them.

A check is one catalogue row (checks/catalogue.csv: id, titles, stage, scoring, evidence kind,
what it requires from the bundle) plus one function registered with `@check("<id>")` in the
module of its section. The registry adds what every check shares: the clause id, a
needs_review verdict when a required page or fact is missing, "no evidence, no pass", and an
error verdict when a check raises.
"""

from __future__ import annotations

import csv
import importlib
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from b2cect.crawler.bundle import PAGE_KINDS, Bundle

from .facts import fact_problem
from .verdict import Outcome, Verdict, review

CATALOGUE = Path(__file__).with_name("catalogue.csv")

# Section -> module holding its checks. Adding a section means adding a line here.
SECTION_MODULES = {
    "6.1": "b2cect.checks.pre_sale",
    "6.2": "b2cect.checks.in_sale",
    "6.3": "b2cect.checks.after_sale",
    "6.4": "b2cect.checks.interaction",
    "6.5": "b2cect.checks.data_service",
}

SCORING_KINDS = ("objective", "experience")
# Login outcomes after which the account area was not seen (the `login` fact's status).
LOGIN_WALL = ("no_credentials", "needs_human", "failed")
# A `requires` token: the item is about the account area, behind the customer's login.
LOGIN = "login"
EVIDENCE_KINDS = ("page", "interaction", "manual")

CheckFn = Callable[[Bundle], Verdict]


@dataclass(frozen=True)
class Item:
    """One catalogue row."""

    id: str
    section: str  # "6.1" .. "6.5"
    stage: str  # browse, cart, checkout, payment, after-sales, account, data
    scoring: str  # objective (yes/no, full points or none) or experience (auditor's alpha)
    evidence: str  # page, interaction, manual
    applies: str  # "always", or when it applies (the check answers not_applicable otherwise)
    requires: tuple[str, ...]  # page kinds and "fact:<name>" the check cannot do without
    title_zh: str
    title_en: str

    @property
    def manual(self) -> bool:
        return self.evidence == "manual"


@cache
def catalogue() -> dict[str, Item]:
    items: dict[str, Item] = {}
    with CATALOGUE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            item = Item(
                id=row["id"],
                section=row["section"],
                stage=row["stage"],
                scoring=row["scoring"],
                evidence=row["evidence"],
                applies=row["applies"],
                requires=tuple(row["requires"].split()),
                title_zh=row["title_zh"],
                title_en=row["title_en"],
            )
            _validate(item)
            items[item.id] = item
    return items


def _validate(item: Item) -> None:
    if item.scoring not in SCORING_KINDS or item.evidence not in EVIDENCE_KINDS:
        raise ValueError(f"catalogue row {item.id}: bad scoring/evidence value")
    if item.section not in SECTION_MODULES or not item.id.startswith(item.section + "."):
        raise ValueError(f"catalogue row {item.id}: section {item.section!r} does not match")
    for need in item.requires:
        if need != LOGIN and not need.startswith("fact:") and need not in PAGE_KINDS:
            raise ValueError(f"catalogue row {item.id}: unknown requirement {need!r}")


_CHECKS: dict[str, CheckFn] = {}


def check(clause_id: str) -> Callable[[CheckFn], CheckFn]:
    """Register the function judging one catalogue item."""

    def register(fn: CheckFn) -> CheckFn:
        if clause_id in _CHECKS:
            raise ValueError(f"two checks registered for {clause_id}")
        _CHECKS[clause_id] = fn
        return fn

    return register


@cache
def checks() -> dict[str, CheckFn]:
    for module in SECTION_MODULES.values():
        importlib.import_module(module)
    missing = sorted(set(catalogue()) - set(_CHECKS), key=sort_key)
    unknown = sorted(set(_CHECKS) - set(catalogue()), key=sort_key)
    if missing or unknown:
        raise RuntimeError(f"checks missing for {missing}, not in catalogue: {unknown}")
    return dict(_CHECKS)


def sort_key(clause_id: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in clause_id.split("."))


def select(selectors: Iterable[str] | None = None) -> list[Item]:
    """Items matching ids or section prefixes ("6.5.4" selects 6.5.4.a-c); all when None."""
    items = sorted(catalogue().values(), key=lambda i: sort_key(i.id))
    if not selectors:
        return items
    chosen = []
    for sel in selectors:
        sel = sel.strip().rstrip(".")
        matched = [i for i in items if i.id == sel or i.id.startswith(sel + ".")]
        if not matched:
            raise KeyError(f"no catalogue item or section {sel!r} (see `b2cect clauses`)")
        chosen += [i for i in matched if i not in chosen]
    return chosen


def login_wall(bundle: Bundle) -> str | None:
    """Why the account area was not seen, when the scan did not get past the login."""
    login = bundle.fact("login")
    if login and login.get("status") in LOGIN_WALL:
        reason = login.get("reason") or "no reason given"
        return f"the account area needs a login, which was not done ({login['status']}: {reason})"
    return None


def missing_requirement(item: Item, bundle: Bundle) -> str | None:
    for need in item.requires:
        if need == LOGIN:
            wall = login_wall(bundle)
            if wall:
                return wall
        elif need.startswith("fact:"):
            problem = fact_problem(bundle, need[5:])
            if problem:
                return problem
        elif not bundle.reached(need):
            return bundle.why_not_reached(need)
    return None


def judge(item: Item, bundle: Bundle) -> Verdict:
    """Run one item's check with the shared rules applied."""
    fn = checks()[item.id]
    gap = missing_requirement(item, bundle)
    if gap is not None:
        verdict = review(f"Not judged: {gap}.")
    else:
        try:
            verdict = fn(bundle)
        except Exception as exc:  # a broken check must not end the audit
            last = traceback.format_exception_only(exc)[-1].strip()
            verdict = Verdict("", Outcome.ERROR, f"check raised {last}")
    verdict.clause_id = item.id
    if verdict.outcome is Outcome.PASS and not verdict.evidence:
        verdict = Verdict(
            item.id, Outcome.ERROR, f"check passed without evidence: {verdict.reason}"
        )
    if item.manual and verdict.outcome in (Outcome.PASS, Outcome.FAIL):
        # Manual items are the auditor's: what the bundle shows becomes a hint, not a verdict.
        verdict = Verdict(
            item.id,
            Outcome.NEEDS_REVIEW,
            f"Manual item: needs an auditor's judgement. Seen by the crawler: {verdict.reason}",
            verdict.evidence,
            verdict.hints,
        )
    return verdict


def run(bundle: Bundle, selectors: Iterable[str] | None = None) -> list[Verdict]:
    return [judge(item, bundle) for item in select(selectors)]
