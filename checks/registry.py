"""The catalogue of Chapter 6 items and the check functions that judge them.

A check is one catalogue row (checks/catalogue.csv: id, titles, stage, scoring, evidence kind,
what it requires from the bundle, the page kinds a failing search looks in) plus one function
registered with `@check("<id>")` in the module of its section. The registry adds what every
check shares: the clause id, a needs_review verdict when a required page or fact is missing or
the store could not be opened, "no evidence, no pass", "no evidence, no fail" (a fail with no
evidence, or about a searched place not reached, becomes needs_review), and an error verdict
when a check raises.
"""

from __future__ import annotations

import csv
import importlib
import re
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from b2cect.crawler.bundle import (
    NOT_FOUND_TAG,
    PAGE_KINDS,
    STEP_BLOCKED,
    STEP_FAILED,
    Bundle,
    Step,
)

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
    # Page kinds a failing search looked in: when one of them was not reached (for any reason
    # but the store lacking it), absence cannot be claimed and a fail becomes needs_review.
    searches: tuple[str, ...] = ()

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
                searches=tuple((row.get("searches") or "").split()),
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
    for kind in item.searches:
        if kind not in PAGE_KINDS:
            raise ValueError(f"catalogue row {item.id}: unknown page kind {kind!r} in searches")


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


def unreached_search(item: Item, bundle: Bundle) -> str | None:
    """Why a fail of this item would outrun the evidence: a place it searches not reached.

    A kind counts as searched when a page of it was saved, or when discovery looked for its
    link and the store has none (a `not_found` miss, an observation). A step that failed, timed
    out, met an HTTP server error or a login wall, or was never tried, leaves it unreached.
    """
    for kind in item.searches:
        if bundle.reached(kind):
            continue
        steps = bundle.steps_of(kind)
        if steps and all(is_store_absence(step) for step in steps):
            continue
        return bundle.why_not_reached(kind)
    return None


def is_store_absence(step: Step) -> bool:
    """The step shows the store lacks the page: no link to it, or a link to a missing page."""
    if step.status == STEP_BLOCKED and NOT_FOUND_TAG in step.tags:
        return True
    return step.status == STEP_FAILED and bool(CLIENT_ERROR.search(step.error))


# "HTTP 404 at <url>": the store links to a page it does not have (a broken link, an
# observation); a 5xx or a timeout says nothing about the store's content.
CLIENT_ERROR = re.compile(r"^HTTP (404|410) at ")


def judge(item: Item, bundle: Bundle) -> Verdict:
    """Run one item's check with the shared rules applied."""
    fn = checks()[item.id]
    unreachable = bundle.unreachable()
    gap = missing_requirement(item, bundle)
    if unreachable is not None:
        verdict = review(f"Not judged: the store could not be opened ({unreachable}).")
    elif gap is not None:
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
    if verdict.outcome is Outcome.FAIL:
        # No evidence, no verdict: a fail about pages nobody saw is a question, not a finding.
        unseen = (
            "no page or observation was saved to show it"
            if not verdict.evidence
            else unreached_search(item, bundle)
        )
        if unseen is not None:
            verdict = Verdict(
                item.id,
                Outcome.NEEDS_REVIEW,
                f"Not judged, not reached: {unseen}. The check would have said: {verdict.reason}",
                verdict.evidence,
                verdict.hints,
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
