"""Reading probe observations (facts.json) the same way in every check.

A fact may be missing (the probe never ran) or carry {"status": "failed"|"blocked"|"skipped",
"reason"} instead of observations; checks then answer needs_review with `fact_problem()`'s
reason, never fail. `fact_evidence()` turns an observation into evidence pointing at the step
where the probe saw it.
"""

from __future__ import annotations

from typing import Any

from b2cect.crawler.bundle import Bundle, Page, Step

from .text import normalise
from .verdict import Evidence

PROBE_DID_NOT_RUN = ("failed", "blocked", "skipped")


def fact_problem(bundle: Bundle, name: str) -> str | None:
    """Why a probe's observation cannot be used (missing, failed, blocked, skipped), or None."""
    fact = bundle.fact(name)
    if fact is None:
        return f"probe '{name}' made no observation"
    if fact.get("status") in PROBE_DID_NOT_RUN:
        return f"probe '{name}' {fact['status']}: {fact.get('reason') or 'no reason given'}"
    return None


def usable_fact(bundle: Bundle, name: str) -> dict[str, Any] | None:
    return None if fact_problem(bundle, name) else bundle.fact(name)


def step_by_id(bundle: Bundle, step_id: str | None) -> Step | None:
    return next((s for s in bundle.steps if step_id and s.id == step_id), None)


def page_of_step(bundle: Bundle, step_id: str | None) -> Page | None:
    return next((p for p in bundle.pages() if step_id and p.step.id == step_id), None)


def fact_evidence(
    bundle: Bundle,
    fact: dict[str, Any],
    note: str,
    step_key: str = "step",
    excerpt: str = "",
    selector: str | None = None,
) -> Evidence:
    """Evidence for what a probe observed, pointing at the step where it saw it."""
    step_id = str(fact.get(step_key) or fact.get("step") or "")
    step = step_by_id(bundle, step_id)
    text = excerpt or str(fact.get("excerpt") or fact.get("text") or "")
    return Evidence(
        step=step_id,
        page=step.kind if step else "",
        url=(step.final_url or step.url) if step else "",
        selector=str(fact.get("selector") or "") if selector is None else selector,
        excerpt=normalise(text)[:160],
        screenshot=step.screenshot if step else "",
        note=note,
    )


def products_seen(bundle: Bundle) -> list[dict[str, Any]]:
    """Products named on listing, search and home cards (the crawler's `products_seen` fact),
    and the search's first results, each {name, url, step, state}: state is the stock the card
    shows ("out_of_stock", "low_stock" or "")."""
    fact = bundle.fact("products_seen") or {}
    cards = [
        {
            "name": str(c.get("name") or ""),
            "url": str(c.get("url") or ""),
            "step": c.get("step"),
            "state": str(c.get("state") or ""),
        }
        for c in fact.get("products") or []
        if isinstance(c, dict) and c.get("name")
    ]
    search = bundle.fact("search") or {}
    known = {c["name"] for c in cards}
    for name in search.get("first_results") or []:
        if isinstance(name, str) and name and name not in known:
            cards.append({"name": name, "url": "", "step": search.get("step"), "state": ""})
    return cards
