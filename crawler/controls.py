"""Act, then observe: use a control the way a customer does and say what it did.

Stores hide much of their journey behind controls that are not links: a hamburger button that
opens the side navigation, an account button whose dropdown holds "Sign in" and "My orders",
a search icon that reveals the search field, a cart icon that opens a mini-cart drawer, a
"Quick view" button that opens a product dialog. `act()` clicks one and classifies the outcome:

- "navigation": a new page loaded;
- "route": the URL changed without a page load (pushState or a '#/' hash route);
- "opened": controls appeared (a menu, drawer, dialog or popover) - returned, each with `via`
  set to the replayable path ("click 'Menu' icon in header"), so what they lead to is recorded
  in the step's found_by;
- "field": a form field appeared (a search box);
- "nothing".

Which controls are toggles of which kind is vocabulary data (menu_toggle, account_toggle,
search_toggle, cart_toggle, quick_view in vocabulary.yaml), never a store's selectors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .discovery import Candidate, Found, normalise
from .session import Crawl, routed

MAX_MENUS = 3  # toggles opened on the home page: a hamburger, an account menu, one "more"
TOGGLE_MIN = 0.45
PANEL_POLLS, PANEL_POLL_MS = 4, 300  # how long a clicked toggle may take to show its panel
OUTCOMES = ("navigation", "route", "opened", "field", "nothing")
_WORDY = re.compile(r"[A-Za-z\u4e00-\u9fff]")


@dataclass
class Outcome:
    kind: str  # one of OUTCOMES
    path: str  # the replayable step: "click 'Cart' icon in header"
    url: str = ""  # the URL after the click
    new: list[Candidate] = field(default_factory=list)  # controls that appeared
    fields: list[dict[str, Any]] = field(default_factory=list)  # fields that appeared


def describe(cand: Candidate) -> str:
    """A control as a customer would name it: "click 'Cart' icon in header"."""
    name = normalise(cand.text)[:30]
    kind = "button" if not cand.href else "link"
    if not _WORDY.search(name):  # only a badge count ("0") beside an icon
        name = ""
    if not name:
        name = normalise(cand.aria)[:30] or (cand.hint.split(" ")[0] if cand.hint else "?")
        kind = "icon"
    step = f"click '{name}' {kind} in {cand.region}"
    return f"{cand.via} \u2192 {step}" if cand.via else step


def _key(cand: Candidate) -> tuple[str, str, str, str, str]:
    # The region tells a dialog's "Add to cart" from the same button on the card behind it.
    href = cand.href.split("#")[0] if cand.href else ""
    return (cand.tag, href, normalise(cand.text), cand.aria, cand.region)


async def act(c: Crawl, cand: Candidate, wait_ms: int = 250) -> Outcome:
    """Click a control and classify what happened (see the module docstring)."""
    path = describe(cand)
    before_url = c.page.url
    # Collecting re-marks the page's controls: click the fresh mark of the same control.
    now = await c.candidates(remember=False)
    before = {_key(x) for x in now if x.visible}
    # The same control: its place in the page first (cards repeat the same "Quick view").
    same = [x for x in now if _key(x) == _key(cand) and x.path == cand.path] or [
        x for x in now if _key(x) == _key(cand)
    ]
    fields_before = {f["path"] for f in await c.fields() if f["visible"]}
    await c.click(same[0] if same else cand, wait_ms=wait_ms)
    url = c.page.url
    if routed(before_url, url):
        moved = "navigation" if c.last_status is not None else "route"
        return Outcome(moved, path, url)
    new, appeared = await _appeared(c, before, fields_before)
    for _ in range(PANEL_POLLS):
        if new or appeared:
            break
        # A drawer that fetches its content, or slides in, shows it a moment later.
        await c.page.wait_for_timeout(PANEL_POLL_MS)
        new, appeared = await _appeared(c, before, fields_before)
    for x in new:
        x.via = path
    if new:
        c.remember(new)  # links inside the opened panel join the pool, with their path
        return Outcome("opened", path, url, new=new, fields=appeared)
    if appeared:
        return Outcome("field", path, url, fields=appeared)
    return Outcome("nothing", path, url)


async def _appeared(
    c: Crawl, before: set[tuple[str, ...]], fields_before: set[str]
) -> tuple[list[Candidate], list[dict[str, Any]]]:
    """Controls and fields shown since `before`: a search panel shows its field together with
    controls (a close button), so both are kept."""
    new = [x for x in await c.candidates(remember=False) if x.visible and _key(x) not in before]
    fields = [f for f in await c.fields() if f["visible"] and f["path"] not in fields_before]
    return new, fields


def toggles(c: Crawl, cands: list[Candidate], target: str) -> list[Found]:
    """Controls that open a panel rather than lead to a page: no page URL, shown, enabled."""
    usable = [
        x
        for x in cands
        if x.visible
        and not x.disabled
        and (not x.href or x.href.startswith("javascript:") or _same_page(x.href, c.page.url))
        and x.tag not in ("input",)
        and x.region in ("header", "nav", "aside", "main", "menu")
    ]
    return c.vocab.rank(target, usable, c.origin, minimum=TOGGLE_MIN)


def _same_page(href: str, url: str) -> bool:
    """'#', '#nav' on this page (not a '#/route' of an app)."""
    base, _, frag = href.partition("#")
    return base == url.split("#")[0] and not frag.startswith(("/", "!"))


async def open_menus(c: Crawl, cands: list[Candidate]) -> list[Candidate]:
    """Open the page's navigation and account menus once each; the links they hold join the
    pool (found_by "click 'Menu' icon in header → link '...'"). The page is reloaded after,
    so no open panel is mistaken for a pop-up later."""
    found: list[Candidate] = []
    tried: set[tuple[str, ...]] = set()
    for target in ("menu_toggle", "account_toggle"):
        for toggle in toggles(c, cands, target)[:2]:
            key = _key(toggle.candidate)
            if key in tried or len(tried) >= MAX_MENUS:
                continue
            tried.add(key)
            try:
                outcome = await act(c, toggle.candidate)
            except Exception:  # noqa: BLE001 - a toggle that cannot be clicked opens nothing
                continue
            if outcome.kind in ("navigation", "route"):
                await c.goto(c.start_url)
                continue
            found.extend(outcome.new)
            break
    if tried:
        await c.goto(c.start_url)
    return found


async def reveal_field(c: Crawl, target: str) -> Outcome | None:
    """Click the control that shows a hidden field (a search icon); the outcome when one did."""
    for toggle in toggles(c, await c.candidates(), target)[:2]:
        outcome = await act(c, toggle.candidate)
        if outcome.kind in ("field", "opened") and outcome.fields:
            return outcome
    return None


async def open_panel_link(c: Crawl, toggle_target: str, link_target: str) -> Found | None:
    """Open a panel (a mini-cart drawer, an account menu) and return the best link in it for
    `link_target`, with its path in found_by: "click 'Cart' icon in header → link 'View cart'".
    A panel already open over the page (a drawer that adding to the cart opened) is used as it
    is; its overlay can hide the toggle, so a panel that gave nothing is opened again from the
    home page."""
    found = await _open_panel_button(c, link_target)
    if found is None:
        found = await _panel_link(c, toggle_target, link_target)
    if found is None and c.page.url.split("#")[0] != c.start_url.split("#")[0]:
        await c.goto(c.start_url)
        found = await _panel_link(c, toggle_target, link_target)
    return found


async def _press_to_page(c: Crawl, found: Found | None, link_target: str) -> Found | None:
    """Press a button that should lead to a page; the Found for that page if it did."""
    if found is None:
        return None
    moved = await act(c, found.candidate)
    if moved.kind not in ("navigation", "route"):
        return None
    led = Found(link_target, found.candidate, found.confidence, moved.path)
    led.candidate.href = moved.url
    return led


async def _open_panel_button(c: Crawl, link_target: str) -> Found | None:
    """A panel already open over the page (a mini-cart that adding to the cart opened) whose
    "View cart" is a button: press it."""
    shown = [
        x
        for x in await c.candidates()
        if x.visible and not x.disabled and not x.href and x.region in ("dialog", "aside", "menu")
    ]
    return await _press_to_page(c, c.vocab.best(link_target, shown, c.origin), link_target)


async def _panel_link(c: Crawl, toggle_target: str, link_target: str) -> Found | None:
    for toggle in toggles(c, await c.candidates(), toggle_target)[:2]:
        outcome = await act(c, toggle.candidate)
        if outcome.kind in ("navigation", "route"):
            found = Found(link_target, toggle.candidate, toggle.confidence, outcome.path)
            found.candidate.href = outcome.url
            return found
        best = c.vocab.best(link_target, [x for x in outcome.new if x.href], c.origin)
        if best is not None:
            return best
        # A panel whose "View cart" is a button that navigates by script: press it.
        button = c.vocab.best(link_target, [x for x in outcome.new if not x.href], c.origin)
        pressed = await _press_to_page(c, button, link_target)
        if pressed is not None:
            return pressed
    return None


async def load_more(c: Crawl, times: int = 2) -> int:
    """Press a listing's "load more"/"加载更多" button (bounded); how many batches came."""
    loaded = 0
    for _ in range(times):
        cands = [x for x in await c.candidates() if x.visible and not x.disabled]
        found = c.vocab.best(
            "load_more", [x for x in cands if not x.href or _same_page(x.href, c.page.url)]
        )
        if found is None:
            break
        outcome = await act(c, found.candidate)
        if outcome.kind != "opened":
            break
        loaded += 1
    return loaded
