"""The crawl session: one browser page, the bundle being written, and the step runner.

Every journey command runs through `Crawl.step()`, which bounds it in time, turns any error
into a step row (status + plain-words error), captures the page (HTML and screenshot) and
reports progress. A failed step never ends the scan: the next command simply runs.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from .bundle import (
    NOT_FOUND_TAG,
    PAGE_KINDS,
    STEP_BLOCKED,
    STEP_FAILED,
    STEP_OK,
    STEP_SKIPPED,
    BundleWriter,
    Step,
    utc_now,
)
from .discovery import SITEMAP_REGION, Candidate, Found, ReplayStep, Vocabulary, same_origin
from .guard import OrderGuard, blocked_message
from .polite import MAX_RETRIES, RobotsRules, retry_delay
from .profile import SiteProfile
from .redact import PERSONAL_PATTERNS, Redactor
from .scripts import (
    COLLECT_JS,
    DOM_IDLE_JS,
    FIELDS_JS,
    LAZY_SCROLL_JS,
    MARK_DEFAULTS_JS,
    MASK_JS,
    OVERLAY_CONTROLS_JS,
    PREPARE_SNAPSHOT_JS,
    RECORD_BOXES_JS,
    SNAPSHOT_HTML_JS,
    TIMINGS_JS,
    UNMASK_JS,
)

SCREENSHOT_MAX_HEIGHT = 4000
# JPEG keeps a bundle of ~60 screenshots near 3 MB instead of 11 MB as PNG; text stays legible.
SCREENSHOT_FORMAT = {"type": "jpeg", "quality": 70}
VIEWPORT_HEIGHT = 900
MAX_ELEMENT_BOXES = 4000  # element boxes saved per page, for evidence crops in reports
MAX_OPEN_TOGGLES = 12
MAX_FRAMES_SEARCHED = 20  # iframes searched for a marked control (ads and widgets add many)
# Steps taken inside the checkout: their captures must leave the page as the journey left it.
CHECKOUT_STEP_KINDS = frozenset(
    ("checkout", "checkout_fill", "checkout_validation", "address_cascade", "checkout_review")
)
MAX_ROBOTS_ROWS = 20  # step rows for navigations robots.txt stopped, per scan
# After opening a tab or accordion: long enough for a script-driven panel to draw (a frame or
# two), short enough that a page with a dozen toggles does not cost a second and a half.
TOGGLE_WAIT_MS = 40
CAPTURE_TIMEOUT_S = 12
# Settling after a load or a click: the page counts as drawn when no XHR/fetch/script/document
# request is open and the DOM has not changed for QUIET_MS; never longer than SETTLE_LIMIT_MS
# (a page that polls or animates for ever is used as it is then). Open requests are tracked
# apart, so the quiet window only has to cover drawing after the last response: a few frames.
QUIET_MS = 60
SETTLE_LIMIT_MS = 3000
SETTLE_POLL_MS = 50
_PENDING_TYPES = {"document", "xhr", "fetch", "script"}
# Lazy images: scroll at most this many viewports (and this deep), wait this long for images.
LAZY_SCROLL = {"maxSteps": 6, "maxHeight": SCREENSHOT_MAX_HEIGHT, "stepMs": 60, "imageWaitMs": 1500}
# Close controls inside an overlay score at least this against the popup_close words.
POPUP_CLOSE_MIN = 0.5
_CAND_ATTR = re.compile(r'\s?data-b2cect-(?:c|f|cb|rb)="[^"]*"')

# The store's information pages, opened from footer and help links (journey_info.py).
INFO_KINDS = (
    "help",
    "after_sales",
    "payment_help",
    "delivery_help",
    "privacy",
    "terms",
    "about",
    "licence",
    "contact",
    "complaint",
    "notices",
)
# Targets that name a page with a URL of its own; the session remembers the best link seen for
# each on any page, so e.g. the privacy link read in the home footer is still known on the
# checkout page. A site profile can pin each of them by URL (docs/site-profile.md).
LINK_TARGETS = (
    "listing",
    "cart",
    "checkout",
    "login",
    "register",
    "password_reset",
    "account",
    "profile",
    "addresses",
    "favourites",
    "orders",
    "returns",
    *INFO_KINDS,
)


class Skip(Exception):
    """The step is deliberately not run (safety rule, option, nothing to do)."""


class Blocked(Exception):
    """The step could not run (target not found, login wall); screenshot=True keeps a picture."""

    def __init__(self, message: str, screenshot: bool = False):
        super().__init__(message)
        self.screenshot = screenshot


class GuardBlocked(Blocked):
    """The order guard held back a request this action would have sent (crawler/guard.py)."""


class OrderCreated(Blocked):
    """After a request the guard let through, the store said an order now exists."""


class NotFound(Blocked):
    """Discovery searched the place where a link or control would be and found none: an
    observation about the store (the step gets the tag `not_found`), not a crawler failure."""


def plain_error(exc: BaseException, timeout_s: float) -> str:
    """An exception in plain words for the step row (first line, no stack, bounded)."""
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return f"timed out after {timeout_s:g} s"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = re.sub(r"\s+", " ", text)
    if "Timeout" in text and "exceeded" in text:
        return f"timed out: {text[:160]}"
    return text[:240]


class Crawl:
    def __init__(
        self,
        *,
        page: Any,
        context: Any,
        writer: BundleWriter,
        vocab: Vocabulary,
        profile: SiteProfile,
        redactor: Redactor,
        start_url: str,
        step_timeout_s: float = 20,
        link_client: Any = None,
        progress: Callable[[Step], Any] | None = None,
        guard: OrderGuard | None = None,
    ):
        self.page = page
        self.context = context
        self.writer = writer
        self.vocab = vocab
        self.profile = profile
        self.redactor = redactor
        self.start_url = start_url
        parts = urlsplit(start_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.step_timeout_s = step_timeout_s
        self.progress = progress
        # Link checks use their own cookie jar, so opening e.g. a "?lang=en" link cannot change
        # the language (or log out) the journey's browser context.
        self.link_client = link_client or getattr(context, "request", None)
        self.logged_in = False
        self.personal_steps: set[str] = set()  # steps captured while logged in
        self.pool: dict[str, Found] = {}  # best link per page target seen anywhere
        self.sitemap_cands: list[Candidate] = []  # page URLs the store's sitemaps list
        self.state: dict[str, Any] = {}  # what earlier steps learned for later ones
        self.reach: dict[str, dict[str, Any]] = {}
        self.last_status: int | None = None  # HTTP status of the last main-frame navigation
        self.current_step = ""  # id of the step running now (pop-ups closed are noted with it)
        # Pop-ups closed by the session itself (over later pages, or in the way of a click);
        # scan.seal() adds them to the `popups` fact after the journey's own popups step.
        self.dismissed: list[dict[str, str]] = []
        self.client_routes = 0  # clicks that changed the URL without loading a page (SPA)
        # Every request our actions cause passes the order guard (None: nothing is judged).
        self.guard = guard
        # Where the browser writes downloads while they arrive (set by the session's owner).
        self.downloads_dir = Path(tempfile.gettempdir())
        # A browser we are connected to (not one we launched) hands finished downloads over by
        # copy, into this folder; None: the file is taken where the browser wrote it.
        self.downloads_copy_dir: Path | None = None
        # Politeness (crawler/polite.py), set by crawl_session: robots.txt rules to obey, and
        # an async function awaited with each URL before it is opened.
        self.robots: RobotsRules | None = None
        self.throttle: Callable[[str], Awaitable[None]] | None = None
        self.robots_held = 0  # navigations by the store's own scripts that robots.txt stopped
        # A selector whose element alone is saved as the step's page (a product dialog), or
        # None for the whole document.
        self.capture_scope: str | None = None
        self._pending: set[Any] = set()  # open XHR/fetch/script/document requests
        self._net_at = time.monotonic()  # when a request last started or ended
        page.on("response", self._on_response)
        page.on("request", self._on_request)
        page.on("requestfinished", self._on_request_done)
        page.on("requestfailed", self._on_request_done)
        # What the browser was shown besides pages: JavaScript dialogs and pop-up windows, each
        # a step row. Dialogs are answered as a customer would (OK; a prompt is dismissed).
        self.dialogs: list[dict[str, str]] = []
        if context is not None and hasattr(context, "on"):
            context.on("dialog", self._on_dialog)
            context.on("page", self._on_window)

    def _on_response(self, response: Any) -> None:
        try:
            if response.request.is_navigation_request() and response.frame == self.page.main_frame:
                self.last_status = response.status
        except Exception:  # noqa: BLE001 - a detached frame: nothing to record
            pass

    def _on_request(self, request: Any) -> None:
        try:
            if request.resource_type in _PENDING_TYPES:
                self._pending.add(request)
                self._net_at = time.monotonic()
        except Exception:  # noqa: BLE001 - a request of a closed page: nothing to wait for
            pass

    def _on_request_done(self, request: Any) -> None:
        if request in self._pending:
            self._pending.discard(request)
            self._net_at = time.monotonic()

    async def _on_dialog(self, dialog: Any) -> None:
        kind = dialog.type  # alert, confirm, prompt, beforeunload
        answer = "dismissed" if kind == "prompt" else "accepted"
        try:
            await (dialog.dismiss() if answer == "dismissed" else dialog.accept())
        except Exception:  # noqa: BLE001 - answered already, or its page went away
            pass
        message = self.redactor.text(dialog.message or "", personal=self.logged_in)[:300]
        self.dialogs.append({"step": self.current_step, "type": kind, "message": message})
        self._event_row(
            "dialog", f"{kind}: {message}", dialog.page.url if dialog.page else "", [kind, answer]
        )

    async def _on_window(self, window: Any) -> None:
        """A pop-up window (window.open, target=_blank): note where it went, then close it."""
        if window is self.page:
            return
        try:
            await window.wait_for_load_state("domcontentloaded", timeout=3000)
        except Exception:  # noqa: BLE001 - a window that never loads is still closed
            pass
        url = window.url
        with suppress(Exception):
            await window.close()
        self._event_row("popup_window", "pop-up window closed", url, ["closed"])

    async def obey_robots_in_browser(self) -> None:
        """Hold the store's own navigations to robots.txt too: a page script's location change,
        window.open, meta refresh or full-load router never opens a disallowed page. Our own
        navigations are asked before they start (goto, clicks); this catches the rest at the
        request-routing layer, for document requests only."""
        if self.robots is not None and self.context is not None:
            await self.context.route("**/*", self._robots_route)

    async def _robots_route(self, route: Any, request: Any) -> None:
        robots = self.robots
        if robots is None or not request.is_navigation_request() or robots.allows(request.url):
            await route.fallback()  # to the order guard, when it routes too
            return
        # 204 No Content: the browser stays on the page it shows, nothing reaches the store.
        await route.fulfill(status=204, body="")
        self.robots_held += 1
        if self.robots_held <= MAX_ROBOTS_ROWS:  # a page that keeps trying gets a few rows
            self._event_row(
                "robots_disallowed",
                "navigation started by the page not followed",
                request.url,
                ["robots", "not_followed"],
                status=STEP_BLOCKED,
                error=f"not followed: robots.txt disallows {request.url} "
                "(--ignore-robots for an authorised audit)",
            )

    def _event_row(
        self,
        kind: str,
        title: str,
        url: str,
        tags: list[str],
        status: str = STEP_OK,
        error: str = "",
    ) -> None:
        """A step row for something the browser showed during the current step."""
        step = Step(
            id=self.writer.unique_id(kind),
            kind=kind,
            status=status,
            error=self.redactor.text(error, personal=self.logged_in),
            started=utc_now(),
            url=self.redactor.text(url, personal=self.logged_in),
            title=title,
            found_by=f"during {self.current_step}" if self.current_step else "",
            tags=tags,
        )
        self.writer.add_step(step)
        if self.progress:
            with suppress(Exception):
                self.progress(step)

    # --- the step runner --------------------------------------------------------------------
    async def step(
        self,
        kind: str,
        action: Callable[[Step], Awaitable[Any]],
        *,
        capture: str = "page",
        timeout: float | None = None,
    ) -> Step:
        """Run one journey command as a step row. capture: "page" (HTML+PNG), "screen", "none"."""
        step = Step(id=self.writer.unique_id(kind), kind=kind, started=utc_now())
        self.writer.add_step(step)
        limit = timeout or self.step_timeout_s
        t0 = time.monotonic()
        shoot = False
        pin = self.profile.pin(kind)
        self.current_step = step.id
        try:
            if pin is not None and pin.skip:
                raise Skip("skipped by the site profile")
            await asyncio.wait_for(action(step), limit)
            step.status = STEP_OK
            shoot = capture != "none"
        except Skip as exc:
            step.status, step.error = STEP_SKIPPED, str(exc)
        except Blocked as exc:
            step.status, step.error = STEP_BLOCKED, str(exc)
            shoot = exc.screenshot
            if isinstance(exc, NotFound):
                step.tags.append(NOT_FOUND_TAG)
        except Exception as exc:  # noqa: BLE001 - any failure becomes a row, never ends the scan
            step.status, step.error = STEP_FAILED, plain_error(exc, limit)
            shoot = capture != "none"
        step.duration_ms = int((time.monotonic() - t0) * 1000)
        if shoot:
            # Page steps get the full page (capped); probe steps the viewport, which is quicker.
            await self._capture(
                step, html=capture == "page" and step.status == STEP_OK, full=capture == "page"
            )
        # The row goes to the progress printer (a log) now: redact it now, not only at the end.
        for attr in ("error", "url", "final_url", "title", "found_by"):
            setattr(step, attr, self.redactor.text(getattr(step, attr), personal=self.logged_in))
        self._note_reach(step)
        if self.progress:
            try:
                self.progress(step)
            except Exception:  # noqa: BLE001 - a broken progress printer must not stop a scan
                pass
        return step

    def _note_reach(self, step: Step) -> None:
        if step.kind not in PAGE_KINDS:
            return
        row = self.reach.get(step.kind)
        if row is not None and row["status"] == STEP_OK:
            return
        self.reach[step.kind] = {
            "kind": step.kind,
            "status": step.status,
            "url": step.final_url or step.url,
            "found_by": step.found_by,
            "confidence": step.confidence,
            "note": step.error,
            "step": step.id,
        }

    async def _capture(self, step: Step, html: bool, full: bool) -> None:
        try:
            await asyncio.wait_for(self._capture_inner(step, html, full), CAPTURE_TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001
            note = f"capture failed: {plain_error(exc, CAPTURE_TIMEOUT_S)}"
            step.error = f"{step.error}; {note}" if step.error else note

    async def _capture_inner(self, step: Step, html: bool, full: bool) -> None:
        page = self.page
        step.final_url = page.url
        try:
            step.title = (await page.title())[:200]
        except Exception:  # noqa: BLE001 - a page mid-navigation has no title yet
            step.title = ""
        if self.logged_in:
            self.personal_steps.add(step.id)
        if html or full:
            await self.load_lazy_content()
        if html:
            step.timings = await page.evaluate(TIMINGS_JS) or {}
            if not self.logged_in:
                # Contacts shown to every visitor are the store's, not the customer's: keep them.
                self.redactor.add_keep(
                    await page.evaluate("() => document.body ? document.body.innerText : ''")
                )
            # Tabs and collapsed panels are opened so the saved page shows their text, but not
            # in the checkout: there a collapsed panel is a step not reached yet or one already
            # done (accordion checkouts), and opening it would undo the step the journey is on.
            await page.evaluate(
                PREPARE_SNAPSHOT_JS,
                {
                    "maxOpen": MAX_OPEN_TOGGLES,
                    "waitMs": TOGGLE_WAIT_MS,
                    "clickToggles": step.kind not in CHECKOUT_STEP_KINDS,
                },
            )
            await page.evaluate(
                RECORD_BOXES_JS, {"limit": MAX_ELEMENT_BOXES, "maxY": SCREENSHOT_MAX_HEIGHT}
            )
            dom = await page.evaluate(SNAPSHOT_HTML_JS, self.capture_scope)
            dom = _CAND_ATTR.sub("", dom)
            dom = self.redactor.text(dom, personal=self.logged_in)
            step.html = self.writer.write_text(f"pages/{step.id}.html", dom)
        masked = self.logged_in or step.kind in (
            "login",
            "sign_in",
            "register",
            "password_reset",
            "password_reset_submit",  # the form holds, and the answer may echo, the login
        )
        if masked:
            await page.evaluate(
                MASK_JS,
                {
                    "needles": self.redactor.css_needles(),
                    "patterns": list(PERSONAL_PATTERNS) if self.logged_in else [],
                    "keep": sorted(self.redactor.keep),
                },
            )
        try:
            height = await page.evaluate("() => document.documentElement.scrollHeight")
            if full and height > VIEWPORT_HEIGHT:
                clip = {"x": 0, "y": 0, "width": 1280, "height": min(height, SCREENSHOT_MAX_HEIGHT)}
                shot = await page.screenshot(
                    full_page=True, clip=clip, timeout=8000, **SCREENSHOT_FORMAT
                )
            else:
                shot = await page.screenshot(timeout=8000, **SCREENSHOT_FORMAT)
        finally:
            if masked:
                await page.evaluate(UNMASK_JS)
        step.screenshot = self.writer.write_bytes(f"screens/{step.id}.jpg", shot)

    # --- navigation ---------------------------------------------------------------------------
    async def goto(self, url: str, step: Step | None = None) -> Any:
        """Open a URL; an HTTP error status fails the step (the page is still captured).

        On a single-page app whose server answers only the start URL, a route that loads as an
        HTTP error is opened the way a customer reaches it: inside the app (see _route_in_app).
        """
        url = urljoin(self.page.url if self.page.url.startswith("http") else self.start_url, url)
        if step is not None and not step.url:
            step.url = url
        if self.robots is not None and not self.robots.allows(url):
            raise Blocked(f"robots.txt disallows {url} (--ignore-robots for an authorised audit)")
        mark = self.guard.mark() if self.guard else 0
        for attempt in range(MAX_RETRIES + 1):
            if self.throttle is not None:
                await self.throttle(url)
            try:
                response = await self.page.goto(
                    url, wait_until="domcontentloaded", timeout=self.step_timeout_s * 1000
                )
            except Exception:
                self.raise_if_guarded(mark)
                raise
            delay = retry_delay(response, attempt, self.step_timeout_s)
            if delay is None:
                break
            await asyncio.sleep(delay)  # a busy server (429/503): back off, then again
        await self.settle()
        await self.after_action(mark)
        if "popups" in self.writer.facts:
            # A pop-up that opens with a page (after the journey's popups step on the home page).
            await self.dismiss_overlays(blocking_only=True)
        if response is not None and response.status >= 400:
            if self.client_routes:
                with suppress(Exception):
                    if await self._route_in_app(url):
                        return None
            raise RuntimeError(f"HTTP {response.status} at {url}")
        return response

    # --- the order guard ----------------------------------------------------------------------
    def raise_if_guarded(self, mark: int) -> None:
        """The action's request was held back by the order guard: say so as the step's reason."""
        if self.guard is not None:
            held = self.guard.blocked_since(mark)
            if held:
                raise GuardBlocked(blocked_message(held), screenshot=True)

    async def after_action(self, mark: int) -> None:
        """After a click or a navigation: was something held back, or did an order appear?

        An order that appears after a request the guard let through stops the action at once
        (OrderCreated); the checkout then ends, and the bundle says what happened.
        """
        guard = self.guard
        if guard is None:
            return
        sent = guard.sent_since(mark) if guard.stage in ("checkout", "review") else []
        if sent:
            said = guard.order_said(await self.visible_text(12000))
            if said:
                row = guard.incident(self.current_step, f"the page said '{said}'", sent[-1])
                raise OrderCreated(
                    f"the store created an order after {row['method']} {row['url']}: '{said}'",
                    screenshot=True,
                )
        if guard.incidents and guard.stage in ("checkout", "review"):
            last = guard.incidents[-1]
            raise OrderCreated(f"the store created an order: {last['what']}", screenshot=True)
        self.raise_if_guarded(mark)

    async def _route_in_app(self, url: str) -> bool:
        """Open the app at the start URL, then reach `url` by its link or by a history push."""
        await self.page.goto(
            self.start_url, wait_until="domcontentloaded", timeout=self.step_timeout_s * 1000
        )
        await self.settle()
        hrefs = (url, _path_of(url))
        link = self.page.locator(", ".join(f'a[href="{_css_string(h)}"]' for h in hrefs))
        if await link.count():
            await self.click(link.first)
        else:
            # The routers of single-page apps re-draw on popstate after a history push.
            await self.page.evaluate(
                "(u) => { history.pushState({}, '', u);"
                " window.dispatchEvent(new PopStateEvent('popstate', {state: {}})); }",
                url,
            )
            await self.settle()
        return self.page.url.split("#")[0] == url.split("#")[0] or self.page.url == url

    async def settle(self, extra_ms: int = 60) -> None:
        """Wait for the page to finish loading and drawing, bounded; a slow widget does not
        hold us up."""
        try:
            await self.page.wait_for_load_state("load", timeout=8000)
        except Exception:  # noqa: BLE001 - a page that never fires load is still usable
            pass
        await self.page.wait_for_timeout(extra_ms)
        await self.wait_until_quiet()
        try:
            await self.page.evaluate(MARK_DEFAULTS_JS)
        except Exception:  # noqa: BLE001 - mid-navigation
            pass

    async def wait_until_quiet(
        self, quiet_ms: int = QUIET_MS, limit_ms: int = SETTLE_LIMIT_MS
    ) -> bool:
        """Wait until no XHR/fetch/script request is open and the DOM is still (content drawn
        by script after the load event, as single-page apps do). False when the limit ran out."""
        deadline = time.monotonic() + limit_ms / 1000
        while True:
            net_idle_ms = (time.monotonic() - self._net_at) * 1000
            try:
                watch = await self.page.evaluate(DOM_IDLE_JS)
                dom_idle_ms = watch["idle"]
                # A page that routes on the client: its deep links may only work inside it.
                self.client_routes = max(self.client_routes, int(watch["routes"]))
            except Exception:  # noqa: BLE001 - mid-navigation: the new page decides next round
                dom_idle_ms = 0
            if not self._pending and net_idle_ms >= quiet_ms and dom_idle_ms >= quiet_ms:
                return True
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(SETTLE_POLL_MS / 1000)

    async def load_lazy_content(self) -> None:
        """Scroll through the page (bounded) so lazy images and lazily drawn parts appear."""
        try:
            result = await self.page.evaluate(LAZY_SCROLL_JS, LAZY_SCROLL)
            if result and result.get("steps"):
                await self.wait_until_quiet(limit_ms=1500)
        except Exception:  # noqa: BLE001 - a page without lazy parts is captured as it is
            pass

    async def dismiss_overlays(self, blocking_only: bool = False, limit: int = 3) -> int:
        """Close cookie/consent banners and pop-ups over the page by their own close control
        ("同意", "我知道了", "关闭", "Accept", "Got it", "×" ...), noting each in `dismissed`.
        Only controls inside an overlay are clicked, and never a link to another page."""
        closed = 0
        for _ in range(limit):
            try:
                raw = await self.page.evaluate(OVERLAY_CONTROLS_JS, {"blockingOnly": blocking_only})
            except Exception:  # noqa: BLE001 - mid-navigation: nothing to close now
                return closed
            cands = [Candidate.from_dict(c) for c in raw]
            found = self.vocab.best("popup_close", cands, "", minimum=POPUP_CLOSE_MIN)
            if found is None:
                return closed
            try:
                await (await self.locate(found.candidate.selector)).first.click(timeout=3000)
            except Exception:  # noqa: BLE001 - it went away by itself, or cannot be clicked
                return closed
            self.dismissed.append(
                {
                    "step": self.current_step,
                    "text": found.candidate.text or found.candidate.aria,
                    "selector": found.candidate.path,
                    "overlay": found.candidate.context[:120],
                }
            )
            closed += 1
            await self.page.wait_for_timeout(150)
        return closed

    async def locate(self, selector: str) -> Any:
        """A locator for `selector` in the frame that holds it: the page, else the first
        same-origin iframe that does. Controls and fields are found in iframes too (the page
        scripts search them), but a page locator does not enter a frame."""
        here = self.page.locator(selector)
        try:
            if await here.count():
                return here
            for frame in self.page.frames[1:MAX_FRAMES_SEARCHED]:
                there = frame.locator(selector)
                if await there.count():
                    return there
        except Exception:  # noqa: BLE001 - a frame detached mid-search: the page's own locator
            pass
        return here

    async def click(self, found: Found | Candidate | str | Any, wait_ms: int = 200) -> None:
        """Click a control and wait for whatever it started (navigation or script).

        A pop-up in the way is closed and the click tried once more. A click that changes the
        URL without loading a page (a single-page app's router) is counted in client_routes.
        """
        cand = found.candidate if isinstance(found, Found) else found
        if isinstance(cand, Candidate) and cand.href and self.robots is not None:
            if not self.robots.allows(urljoin(self.page.url, cand.href)):
                raise Blocked(f"robots.txt disallows {cand.href}")
        if isinstance(cand, Candidate) and not cand.visible and cand.href.startswith("http"):
            # A link in a closed menu cannot be clicked, but its URL can be opened.
            await self.goto(cand.href)
            return
        if isinstance(cand, Candidate):
            target = (await self.locate(cand.selector)).first
        elif isinstance(cand, str):
            target = (await self.locate(cand)).first
        else:
            target = cand  # a Playwright locator
        self.last_status = None
        url_before = self.page.url
        mark = self.guard.mark() if self.guard else 0
        try:
            await target.click(timeout=6000)
        except Exception as exc:  # noqa: BLE001 - retried once when a pop-up was in the way
            if "intercepts pointer events" not in str(exc) or not await self.dismiss_overlays():
                raise
            await target.click(timeout=6000)
        await self.settle(wait_ms)
        await self.after_action(mark)
        if self.last_status is None and routed(url_before, self.page.url):
            self.client_routes += 1
        if self.last_status is not None and self.last_status >= 400:
            raise RuntimeError(f"HTTP {self.last_status} at {self.page.url} after the click")

    # --- discovery on the live page -----------------------------------------------------------
    async def candidates(
        self, context: bool = False, include_hidden: bool = False, remember: bool = True
    ) -> list[Candidate]:
        raw = await self.page.evaluate(
            COLLECT_JS, {"context": context, "includeHidden": include_hidden}
        )
        cands = [Candidate.from_dict(c) for c in raw]
        if remember:
            self._remember_links(cands)
        return cands

    def remember(self, cands: list[Candidate]) -> None:
        """Offer links found some other way (inside a menu a click opened) to the pool."""
        self._remember_links(cands)

    def _remember_links(self, cands: list[Candidate]) -> None:
        for target in LINK_TARGETS:
            found = self.vocab.best(target, [c for c in cands if c.href], self.origin)
            if found is None or _is_action_url(found.url):
                continue
            old = self.pool.get(target)
            if old is None:
                self.pool[target] = found
            # A link seen on a page beats a sitemap URL whatever their confidence: it has text
            # a customer reads, the sitemap only fills gaps. A link back to the start page
            # (a logo "Tiny Shop" read as a listing) is no page of its own and does not count.
            elif old.candidate.region == SITEMAP_REGION:
                if found.url.split("#")[0].rstrip("/") != self.start_url.rstrip("/"):
                    self.pool[target] = found
            # A link inside the start URL's path (its language prefix, e.g. /zh-hans/) beats
            # one outside it, whatever their confidence: the scan stays in the chosen language.
            elif (self._in_start_path(found.url), found.confidence) > (
                self._in_start_path(old.url),
                old.confidence,
            ):
                self.pool[target] = found

    def add_sitemap_links(self, cands: list[Candidate]) -> None:
        """Seed the pool with sitemap URLs (candidates without text, scored by URL alone) for
        the targets no page has supplied yet; found_by says "sitemap + url pattern ..."."""
        self.sitemap_cands = cands
        for target in LINK_TARGETS:
            if target in self.pool:
                continue
            ranked = [
                f for f in self.vocab.rank(target, cands, self.origin) if not _is_action_url(f.url)
            ]
            if not ranked:
                continue
            best = next((f for f in ranked if self._in_start_path(f.url)), ranked[0])
            best.found_by = f"sitemap + {best.found_by}"
            self.pool[target] = best

    def _in_start_path(self, url: str) -> bool:
        prefix = urlsplit(self.start_url).path.rstrip("/")
        return not prefix or urlsplit(url).path.startswith(prefix + "/")

    async def find(
        self,
        target: str,
        *,
        links_only: bool = False,
        use_pool: bool = False,
        minimum: float = 0.35,
        cands: list[Candidate] | None = None,
    ) -> Found | None:
        """Best control/link for a target: a profile pin, else this page, else (opt.) the pool."""
        pinned = await self.pinned(target)
        if pinned is not None:
            return pinned
        if cands is None:
            cands = await self.candidates()
        if links_only:
            cands = [c for c in cands if c.href]
        found = self.vocab.best(target, cands, self.origin, minimum)
        if found is None and use_pool:
            found = self.pool.get(target)
        return found

    async def pinned(self, target: str) -> Found | None:
        """The site profile's pin for a target: its URL, or its selector if on this page."""
        pin = self.profile.pin(target)
        if pin is None or pin.skip:
            return None
        if pin.url:
            url = urljoin(self.start_url, pin.url)
            return Found(target, Candidate(text="", href=url, path="profile"), 1.0, "profile")
        if pin.via:
            return await self.replay(pin.via, target)
        if pin.selector and await self.page.locator(pin.selector).count():
            cand = Candidate(text="", selector=pin.selector, path=pin.selector)
            return Found(target, cand, 1.0, "profile")
        return None

    async def replay(self, path: str, target: str) -> Found | None:
        """Follow a recorded click path ("click 'Cart' icon in header → link 'View cart'")
        from the current page: each control but the last is clicked; the last is returned for
        the step to use. None when a control of the path is not on the page."""
        segments = [s for s in (part.strip() for part in path.split("\u2192")) if s]
        for i, segment in enumerate(segments):
            control = ReplayStep.parse(segment)
            if control is None:
                return None
            match = control.find(await self.candidates(remember=False))
            if match is None:
                return None
            if i == len(segments) - 1:
                if not match.href:  # a button that leads to the page ("View cart" in a drawer)
                    before = self.page.url
                    await self.click(match, wait_ms=250)
                    if routed(before, self.page.url):
                        match.href = self.page.url
                return Found(target, match, 1.0, f"profile ({path})")
            await self.click(match, wait_ms=250)
        return None

    async def fields(self, scope: str | None = None) -> list[dict[str, Any]]:
        rows = await self.page.evaluate(FIELDS_JS, {"scope": scope})
        for row in rows:
            row["cls"] = self.vocab.classify_field(row)
        return rows

    async def visible_text(self, limit: int = 20000) -> str:
        text = await self.page.evaluate("() => document.body ? document.body.innerText : ''")
        return (text or "")[:limit]

    def same_site(self, url: str) -> bool:
        return same_origin(url, self.origin)


_ACTION_URL = re.compile(r"logout|signout|sign-out|/add/|/remove|/delete|/cancel", re.I)


def _is_action_url(url: str) -> bool:
    """URLs that do something when opened (log out, add, delete): never visited as pages."""
    return bool(url and _ACTION_URL.search(urlsplit(url).path))


def routed(before: str, after: str) -> bool:
    """The URL moved to another route: path/query changed, or a '#/' or '#!' hash route."""
    if before.split("#")[0] != after.split("#")[0]:
        return True
    fragment = urlsplit(after).fragment
    return after != before and fragment.startswith(("/", "!"))


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
