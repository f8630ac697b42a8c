"""Products without product pages: details shown in a dialog opened from a product card.

When no page links to a product page, the crawler opens the cards' "Quick view"/"快速查看"
controls (vocabulary target quick_view). A dialog that opens is a product view: the step is of
kind `product` with the tag `dialog`, and only the dialog's DOM is saved as the step's page
(crawler/session.py capture_scope), so checks read it like a product page. The way to open it
again (page URL + the card's text) is kept for adding to the cart.
"""

from __future__ import annotations

from typing import Any

from .bundle import Step
from .controls import act
from .discovery import Candidate, Found, normalise
from .readers import availability
from .session import Crawl, NotFound

DIALOG_SELECTOR = "[role=dialog]:not([hidden]), dialog[open], [aria-modal=true]"


def quick_views(c: Crawl, cands: list[Candidate]) -> list[Found]:
    """Quick-view controls on product cards, one per card, in page order."""
    ranked = c.vocab.rank("quick_view", [x for x in cands if x.visible and x.context], c.origin)
    by_card: dict[str, Found] = {}
    for found in ranked:
        by_card.setdefault(normalise(found.candidate.context), found)
    return sorted(by_card.values(), key=lambda f: f.candidate.index)


async def open_dialog(c: Crawl, page_url: str, card: str) -> tuple[Found, Any]:
    """Open the page and the quick view of the card whose text is `card`; (control, outcome)."""
    await c.goto(page_url)  # a fresh page: no dialog of an earlier card still open
    found = next(
        (f for f in quick_views(c, await c.candidates(context=True)) if _card(f) == card), None
    )
    if found is None:
        raise NotFound("the product card's quick view control is gone")
    outcome = await act(c, found.candidate)
    if outcome.kind != "opened" or not any(x.region == "dialog" for x in outcome.new):
        raise NotFound(f"{outcome.path} opened no dialog ({outcome.kind})")
    return found, outcome


def _card(found: Found) -> str:
    return normalise(found.candidate.context)


def dialog_product_action(c: Crawl, page_url: str, found: Found, seen: list[dict[str, Any]]):
    card = _card(found)

    async def action(step: Step) -> None:
        step.url = page_url
        control, outcome = await open_dialog(c, page_url, card)
        step.found_by = f"{outcome.path} (product card '{card[:40]}') \u2192 dialog"
        step.confidence = control.confidence
        text = await c.page.evaluate(
            "(sel) => { const d = document.querySelector(sel); return d ? d.innerText : ''; }",
            DIALOG_SELECTOR,
        )
        name = await c.page.evaluate(
            "(sel) => { const d = document.querySelector(sel);"
            " const h = d && d.querySelector('h1, h2, h3'); return h ? h.innerText.trim() : ''; }",
            DIALOG_SELECTOR,
        )
        state, why = availability(text, [], c.vocab)
        in_dialog = [x for x in await c.candidates() if x.region == "dialog"]
        add = c.vocab.best("add_to_cart", [x for x in in_dialog if not x.href], c.origin)
        if not state and add is not None and add.candidate.disabled:
            state, why = "out_of_stock", "add-to-cart control disabled"
        step.tags = ["dialog"] + ([state] if state else []) + ([] if add else ["no_add_to_cart"])
        seen.append(
            {
                "step": step.id,
                "url": page_url,
                "name": name,
                "state": state,
                "why": f"{why} (dialog)" if why else "",
                "add": add,
                "has_structured": False,
                "dialog": card,
            }
        )
        c.capture_scope = DIALOG_SELECTOR

    return action


async def dialog_products(c: Crawl, pages: list[str], limit: int) -> list[dict[str, Any]]:
    """Open up to `limit` product dialogs from the cards of the given pages; a card that says
    sold out is among them when any does (items about out-of-stock goods need one)."""
    sold_out = c.vocab.pattern("availability", "out_of_stock")
    cards: list[tuple[str, Found]] = []
    for url in pages:
        await c.goto(url)
        for found in quick_views(c, await c.candidates(context=True)):
            if all(_card(found) != _card(known) for _url, known in cards):
                cards.append((url, found))
    out = [x for x in cards if sold_out.search(x[1].candidate.context)][:1]
    plan = [x for x in cards if x not in out][: max(0, limit - len(out))] + out
    seen: list[dict[str, Any]] = []
    for url, found in plan:
        try:
            await c.step("product", dialog_product_action(c, url, found, seen))
        finally:
            c.capture_scope = None
    return seen
