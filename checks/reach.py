"""Was a place searched and the thing absent, or was it simply not reached?

The crawler records every attempt to open a page kind or run a probe as a step row. Its status
and error tell two very different stories apart:

- the crawler could not get there: a login wall, a timeout, a broken page, a step skipped by
  the profile or the safety rules. Nothing is known about the store: needs_review.
- the crawler got to the place where the thing would be (the home page and its footer, the
  account area, the order history), looked for it with its discovery vocabulary, and found no
  link or control: step status `blocked` with the tag `not_found` (and an error such as "no
  privacy link found"). That is an observation about the store: the function is missing, and
  a check may fail with evidence of the pages searched.

`search_result()` reads one kind's steps with that distinction, so every check that must tell
"absent" from "not reached" asks the same question the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from b2cect.crawler.bundle import NOT_FOUND_TAG, Bundle, Page, Step

from .registry import login_wall
from .text import Hit, evidence
from .verdict import Evidence

MAX_SEARCHED_PAGES = 6  # evidence rows naming where the crawler looked


@dataclass(frozen=True)
class Search:
    """What the bundle says about one page kind or probe the crawler tried to reach."""

    kind: str
    absent: bool  # the places were reached and searched, and the thing was not there
    reason: str  # plain words: why it is absent, or why absence cannot be claimed
    places: tuple[Page, ...] = ()  # pages where the crawler looked (evidence for a fail)
    clues: tuple[Hit, ...] = field(default=())  # signs it exists after all (for a review)

    def evidence(self, what: str, also: Sequence[Page] = ()) -> list[Evidence]:
        """Evidence for the verdict: the clues seen, else the pages searched for `what` (the
        places first, then `also`: other pages the caller's own text search covered)."""
        if self.clues:
            return [hit.evidence(f"possible {what}") for hit in self.clues[:3]]
        pages = list(dict.fromkeys([*self.places, *also]))[:MAX_SEARCHED_PAGES]
        return [evidence(p, note=f"searched: {what}") for p in pages]


def is_discovery_miss(step: Step) -> bool:
    """True when the crawler searched for the link/control of this step and found none."""
    return step.status == "blocked" and NOT_FOUND_TAG in step.tags


def search_result(
    bundle: Bundle,
    kind: str,
    where: Sequence[str],
    *,
    account_side: bool = False,
    clues: Sequence[Hit] = (),
) -> Search:
    """Did the crawler search the places `where` (page kinds) for `kind` and find nothing?

    `kind` is absent only when every step of that kind was blocked by a discovery miss, every
    page kind in `where` was reached, no login wall stands in the way (`account_side`), and the
    caller saw no `clues` (words or links on saved pages suggesting the thing exists although
    the crawler could not open it). Anything else is "cannot say", with the reason.
    """
    places = tuple(page for place in where for page in bundle.pages(place))
    steps = bundle.steps_of(kind)
    if any(step.status == "ok" for step in steps):
        return Search(kind, False, f"{kind} was reached", places)
    if not steps:
        return Search(kind, False, f"the crawler never looked for {kind}", places)
    if account_side:
        wall = login_wall(bundle)
        if wall:
            return Search(kind, False, wall, places)
    for step in steps:
        if not is_discovery_miss(step):
            return Search(
                kind, False, f"{kind} step {step.status}: {step.error or 'no reason given'}", places
            )
    unreached = [place for place in where if not bundle.reached(place)]
    if unreached:
        reasons = "; ".join(bundle.why_not_reached(place) for place in unreached)
        return Search(kind, False, f"{reasons}, so nothing was searched", places)
    if clues:
        return Search(
            kind,
            False,
            f"{steps[-1].error}, yet saved pages mention {kind.replace('_', ' ')}",
            places,
            tuple(clues),
        )
    return Search(kind, True, steps[-1].error, places)
