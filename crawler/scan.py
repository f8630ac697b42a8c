"""Scan a storefront: walk the customer journey and write a sealed snapshot bundle.

    from b2cect.crawler.scan import ScanOptions, scan_sync
    bundle_dir = scan_sync(ScanOptions(url="http://127.0.0.1:8000/", out=Path("out")))

The journey is a fixed order of small commands (journey_*.py); each becomes one step row.
Safety rules live here: an order is placed only on the demo store, or with place_order on a
store the profile (or caller) marks as a test store.
"""

from __future__ import annotations

import asyncio
import html
import os
import re
import shutil
import statistics
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .browser import BrowserInfo, find_browser, launch, new_context
from .bundle import PAGE_KINDS, STEP_OK, BundleWriter, Step
from .discovery import load_vocabulary
from .guard import GuardWords, OrderGuard
from .journey_account import (
    account_pages,
    login_page,
    password_reset_page,
    register_page,
    sign_in,
)
from .journey_browse import (
    cart,
    cart_add,
    cart_edit,
    cart_persist,
    home,
    language,
    language_switch,
    links_check,
    listings,
    one_click,
    popups,
    products,
    retry_after_login,
    search,
)
from .journey_checkout import checkout
from .journey_info import info_pages
from .journey_orders import orders
from .polite import read_robots
from .profile import SiteProfile, load_profile
from .redact import Redactor
from .scripts import WATCH_INIT_SCRIPT
from .session import INFO_KINDS, Crawl, plain_error
from .sitemap import fill_products, finish_fact, robots_and_sitemaps

T = TypeVar("T")

TOOL_VERSION = "0.1.0"
ACTION_TIMEOUT_S = 8

# Marks boxes ticked when the page loaded, before any probe (see docs/bundle-format.md).
DEFAULTS_INIT_SCRIPT = r"""
(() => {
  const mark = () => {
    for (const el of document.querySelectorAll('input[type=checkbox], input[type=radio]'))
      if (el.checked && !el.hasAttribute('data-b2cect-default-checked'))
        el.setAttribute('data-b2cect-default-checked', '1');
    window.__b2cectMarked = true;
  };
  document.addEventListener('DOMContentLoaded', mark, {once: true});
})();
"""


@dataclass
class ScanOptions:
    url: str
    out: Path
    profile: Path | None = None
    login_env: str = "B2CECT_LOGIN"
    credentials: tuple[str, str] | None = None  # explicit (demo store) override the env
    is_test_store: bool = False
    place_order: bool = False
    demo: str | None = None  # demo seller name: the demo store is always a test store
    step_timeout_s: float = 20
    max_products: int = 6
    headless: bool = True
    browser: Path | str | None = None
    progress: Callable[[Step], Any] | None = None
    # Only these journey parts (names in JOURNEY, or page kinds/facts they record), with the
    # parts they depend on; None runs the whole journey. See `plan_parts`.
    parts: tuple[str, ...] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Politeness (set by fleet runs; see crawler/polite.py): the User-Agent to send (None: the
    # browser's own), whether robots.txt bounds which pages are opened, and an async function
    # awaited with each URL before it is opened (a fleet-wide per-host rate limit).
    user_agent: str | None = None
    obey_robots: bool = False
    throttle: Callable[[str], Awaitable[None]] | None = None
    # A shared browser to connect to (fleet --browser-mode shared): the ws:// endpoint of a
    # Playwright browser server, and the folder that server writes downloads into. None: the
    # scan launches a browser of its own.
    browser_endpoint: str | None = None
    browser_downloads: Path | None = None


def credentials_for(opts: ScanOptions) -> tuple[str, str] | None:
    if opts.credentials:
        return opts.credentials
    user = os.environ.get(f"{opts.login_env}_USER", "")
    password = os.environ.get(f"{opts.login_env}_PASSWORD", "")
    return (user, password) if user and password else None


def is_test_store(opts: ScanOptions, profile: SiteProfile) -> bool:
    return bool(opts.demo or opts.is_test_store or profile.test_store)


def may_place_order(opts: ScanOptions, profile: SiteProfile) -> bool:
    """Only the demo store, or an explicit place_order on a store marked as a test store."""
    if opts.demo:
        return True
    return bool(opts.place_order and (opts.is_test_store or profile.test_store))


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end from synchronous code, also where this thread already runs
    an event loop (a notebook, Playwright's sync API in a test session): then in a worker
    thread with a loop of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, coro).result()


def scan_sync(opts: ScanOptions) -> Path:
    return run_sync(scan(opts))


async def scan(opts: ScanOptions) -> Path:
    profile = load_profile(opts.profile)
    creds = credentials_for(opts)
    redactor = redactor_for(creds)
    allow_order = may_place_order(opts, profile)
    writer = BundleWriter(
        opts.out,
        store={
            "url": opts.url,
            "name": "",
            "demo": opts.demo,
            "is_test_store": bool(opts.demo) or opts.is_test_store or profile.test_store,
            "profile": str(opts.profile) if opts.profile else None,
            "language": profile.language,
            "order_allowed": allow_order,
        },
        tool={"name": "b2cect", "version": TOOL_VERSION},
    )
    async with crawl_session(opts, profile, writer, redactor) as (crawl, info):
        crawl.state["allow_order"] = allow_order
        await journey(crawl, opts, creds, allow_order)
    seal(writer, crawl, info)
    return writer.root


def redactor_for(creds: tuple[str, str] | None) -> Redactor:
    redactor = Redactor()
    if creds:
        redactor.add_secret(creds[0])
        redactor.add_secret(creds[1])
    return redactor


@asynccontextmanager
async def crawl_session(
    opts: ScanOptions, profile: SiteProfile, writer: BundleWriter, redactor: Redactor
) -> AsyncIterator[tuple[Crawl, BrowserInfo]]:
    """A browser, a context with our init scripts, one page and the Crawl around them; shared
    by `scan` and `discover` so both see a store the same way. Everything is closed after."""
    from playwright.async_api import async_playwright

    info = find_browser(opts.browser)
    # The order guard holds requests back on every store but a test store (the demo store, or
    # one the caller or profile marks); placing an order still needs the explicit flag there.
    enforce = not is_test_store(opts, profile)
    downloads = Path(tempfile.mkdtemp(prefix="b2cect-downloads-"))
    async with async_playwright() as pw:
        if opts.browser_endpoint:
            # A context of our own in the fleet's shared browser; closing (or losing) the
            # connection closes the context.
            browser = await pw.chromium.connect(opts.browser_endpoint, timeout=30_000)
        else:
            browser = await launch(pw, info, headless=opts.headless, downloads_path=downloads)
        context = link_client = None
        try:
            context = await new_context(
                browser,
                profile.storage_state or None,
                block_service_workers=enforce,
                user_agent=opts.user_agent,
            )
            await context.add_init_script(DEFAULTS_INIT_SCRIPT)
            await context.add_init_script(WATCH_INIT_SCRIPT)
            # One click or fill never needs long; a missing element fails fast, not at the
            # step's limit.
            context.set_default_timeout(min(opts.step_timeout_s, ACTION_TIMEOUT_S) * 1000)
            page = await context.new_page()
            link_client = await pw.request.new_context(
                extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"},
                **({"user_agent": opts.user_agent} if opts.user_agent else {}),
            )
            vocab = load_vocabulary()
            crawl = Crawl(
                page=page,
                context=context,
                writer=writer,
                vocab=vocab,
                profile=profile,
                redactor=redactor,
                start_url=opts.url,
                step_timeout_s=opts.step_timeout_s,
                link_client=link_client,
                progress=opts.progress,
            )
            crawl.guard = OrderGuard(
                GuardWords.from_vocabulary(vocab.raw),
                enforce=enforce,
                step_of=lambda: crawl.current_step,
                redact=lambda text: redactor.text(text, True),
            )
            if enforce:
                await crawl.guard.install(context)
            crawl.downloads_dir = downloads
            if opts.browser_endpoint and opts.browser_downloads:
                # The shared browser writes downloads into its own folder (watched while they
                # arrive); the finished file is copied to ours.
                crawl.downloads_dir = Path(opts.browser_downloads)
                crawl.downloads_copy_dir = downloads
            crawl.throttle = opts.throttle
            if opts.obey_robots:
                crawl.robots = await read_robots(link_client, opts.url, opts.user_agent or "")
                await crawl.obey_robots_in_browser()
            writer.manifest["politeness"] = {
                "user_agent": opts.user_agent or "(browser default)",
                "robots": "obeyed" if opts.obey_robots else "not consulted",
            }
            yield crawl, info
        finally:
            for closable in (link_client, context):
                with suppress(Exception):
                    if closable is not None:
                        await (closable.dispose() if closable is link_client else closable.close())
            await browser.close()
            shutil.rmtree(downloads, ignore_errors=True)


@dataclass(frozen=True)
class Journey:
    """What the parts of a journey share: the crawl, the options and what the scan may do."""

    c: Crawl
    opts: ScanOptions
    creds: tuple[str, str] | None
    allow_order: bool


@dataclass(frozen=True)
class Part:
    """One part of the customer journey: what runs it, the parts it needs run first (the pages
    it starts from, a filled cart, a login), and what it records: page kinds and facts
    ("fact:<name>", docs/bundle-format.md; "fact:login" is the customer's session)."""

    name: str
    run: Callable[[Journey], Awaitable[Any]]
    needs: tuple[str, ...] = ()
    gives: tuple[str, ...] = ()


ACCOUNT_GIVES = (
    "account", "profile", "addresses", "favourites", "fact:profile", "fact:addresses",
)  # fmt: skip
CHECKOUT_GIVES = (
    "checkout", "checkout_review", "payment", "payment_result", "order_confirmation",
    "fact:checkout_form", "fact:checkout_options", "fact:checkout_validation",
    "fact:address_cascade", "fact:order_place", "fact:payment_attempt",
)  # fmt: skip
ORDERS_GIVES = (
    "orders", "order_detail", "order_print", "orders_print", "returns", "fact:order_history",
    "fact:order_export", "fact:print_view", "fact:order_actions", "fact:return_request",
    "fact:cancel_attempt",
)  # fmt: skip

# The customer journey, in order: a full scan runs every part; `b2cect check` runs only the
# parts an item needs and what those need (`plan_parts`). Adding a part is one line here:
# Part(name, runner, parts it needs first, page kinds and facts it records).
# fmt: off
JOURNEY: tuple[Part, ...] = (
    # robots.txt and sitemaps first: their URLs fill gaps no page link fills (sitemap.py).
    Part("sitemap", lambda j: robots_and_sitemaps(j.c), (), ("fact:sitemap",)),
    Part("home", lambda j: home(j.c), ("sitemap",), ("home", "fact:timings")),
    Part("popups", lambda j: popups(j.c), ("home",), ("fact:popups",)),
    Part("language", lambda j: language(j.c), ("home",), ("fact:language",)),
    Part("links", lambda j: links_check(j.c), ("home",), ("fact:links",)),
    Part("listing", lambda j: listings(j.c), ("home",), ("listing", "fact:listing_controls")),
    Part("search", lambda j: search(j.c), ("home",), ("search", "fact:search")),
    # Listing pages supply product links and their stock hints.
    Part("product", lambda j: _products(j.c, j.opts.max_products), ("listing",),
         ("product", "fact:structured_data", "fact:products_seen")),
    Part("cart_add", lambda j: cart_add(j.c), ("product", "popups"), ("fact:cart_add",)),
    Part("cart", lambda j: cart(j.c), ("cart_add",), ("cart",)),
    Part("cart_edit", lambda j: cart_edit(j.c), ("cart",), ("fact:cart_edit",)),
    Part("cart_persist", lambda j: cart_persist(j.c), ("cart",), ("fact:cart_persist",)),
    Part("one_click", lambda j: one_click(j.c), ("cart",), ("fact:one_click",)),
    # Login, registration and password reset are read while still logged out.
    Part("login", lambda j: login_page(j.c), ("home",), ("login",)),
    Part("register", lambda j: register_page(j.c), ("home",), ("register", "fact:registration")),
    # With credentials, one reset request for the scan's own account, to see the answer.
    Part("password_reset", lambda j: password_reset_page(j.c, j.creds), ("login",),
         ("password_reset", "fact:password_reset")),
    Part("sign_in", lambda j: sign_in(j.c, j.creds, j.opts.login_env), ("login",),
         ("fact:login",)),
    # Pages that asked to sign in first (a cart behind a login), opened again signed in.
    Part("login_walls", lambda j: retry_after_login(j.c), ("sign_in", "cart"), ()),
    # The profile is read early so the customer's own data is known (and redacted) before it
    # shows up on later pages: every part behind the login needs it.
    Part("account", lambda j: account_pages(j.c), ("sign_in",), ACCOUNT_GIVES),
    Part("checkout", lambda j: _checkout(j.c, j.allow_order), ("cart", "account", "login_walls"),
         CHECKOUT_GIVES),
    Part("orders", lambda j: orders(j.c), ("account",), ORDERS_GIVES),
    Part("info", lambda j: info_pages(j.c), ("home",), (*INFO_KINDS, "info")),
    # Last: switching language may stick to the session.
    Part("language_switch", lambda j: language_switch(j.c), ("language",), ("fact:language",)),
)
# fmt: on


def plan_parts(needs: Iterable[str]) -> list[str]:
    """The journey parts, in journey order, that record the given page kinds, facts
    ("fact:<name>") or parts (by name), with every part those depend on. Unknown needs raise."""
    by_name = {p.name: p for p in JOURNEY}
    wanted: set[str] = set()
    for need in needs:
        givers = [p.name for p in JOURNEY if need in p.gives]
        if not givers and need not in by_name:
            raise KeyError(f"no journey part records {need!r}")
        wanted.update(givers or [need])
    todo = list(wanted)
    while todo:
        for dep in by_name[todo.pop()].needs:
            if dep not in wanted:
                wanted.add(dep)
                todo.append(dep)
    return [p.name for p in JOURNEY if p.name in wanted]


async def journey(
    c: Crawl, opts: ScanOptions, creds: tuple[str, str] | None, allow_order: bool
) -> None:
    """The customer journey, in order (all of it, or `opts.parts` only). Each part adds its
    own step rows and facts.

    Steps catch their own errors; `_guarded` also catches what a part does between steps
    (reading the page to choose the next step), so no part can end the scan.
    """
    shared = Journey(c, opts, creds, allow_order)
    chosen = set(plan_parts(opts.parts)) if opts.parts is not None else None
    for part in JOURNEY:
        if chosen is None or part.name in chosen:
            await _guarded(c, part.name, lambda part=part: part.run(shared))


async def _products(c: Crawl, limit: int) -> None:
    """Product pages; from the sitemaps only when no page visited linked to a product."""
    fill_products(c)
    await products(c, limit)


async def _checkout(c: Crawl, allow_order: bool) -> None:
    """The checkout, with the order guard in its checkout stage (crawler/guard.py)."""
    if c.guard is not None:
        c.guard.stage = "checkout"
    try:
        await checkout(c, allow_order)
    finally:
        if c.guard is not None:
            c.guard.stage = "after"


async def _guarded(c: Crawl, name: str, run: Callable[[], Awaitable[Any]]) -> None:
    try:
        await run()
    except Exception as exc:  # noqa: BLE001 - recorded as a failed step; the journey goes on
        message = f"journey part '{name}' stopped: {plain_error(exc, c.step_timeout_s)}"

        async def failed(step: Step) -> None:
            raise RuntimeError(message)

        await c.step(f"{name}_error", failed, capture="screen")


def seal(writer: BundleWriter, c: Crawl, info: BrowserInfo) -> Path:
    """Timings and reach, a last redaction pass with everything learnt, then the SHA-256 seal."""
    home_step = next((s for s in writer.steps if s.kind == "home"), None)
    if home_step and home_step.html:
        home_html = writer.root / home_step.html
        writer.manifest["store"]["name"] = _store_name(home_html, home_step.title)
    if not writer.manifest["store"]["language"] and home_step and home_step.html:
        writer.manifest["store"]["language"] = _language_of(writer.root / home_step.html)
    writer.set_fact("timings", _timings(writer.steps))
    popups_fact(writer, c)
    finish_fact(c)
    if c.guard is not None:
        writer.set_fact("order_guard", c.guard.summary())
    _final_redaction(writer, c)
    writer.manifest["reach"] = reach_rows(c)
    writer.manifest["run"] = run_status(writer, c)
    return writer.finish(info.as_dict())


def run_status(writer: BundleWriter, c: Crawl) -> dict[str, Any]:
    """How the scan went as a whole: `unreachable` when the store's start page could not be
    opened (every item is then needs_review), and the order incidents, if any."""
    home = next((s for s in writer.steps if s.kind == "home"), None)
    if home is None or home.status != STEP_OK or not home.html:
        reason = (home.error if home else "") or "the start page was not opened"
        status = {"status": "unreachable", "reason": reason}
    else:
        status = {"status": "ok", "reason": ""}
    incidents = list(c.guard.incidents) if c.guard is not None else []
    return {**status, "incidents": incidents}


def _store_name(path: Path, title: str) -> str:
    """The shop's own name: og:site_name or application-name when given, else the last part
    of the home page title ("正品行货 - 禾木优选" -> "禾木优选", "Home | Shop" -> "Shop")."""
    text = path.read_text(encoding="utf-8", errors="replace")
    for prop in ("og:site_name", "application-name"):
        m = re.search(
            rf"<meta[^>]+(?:property|name)=\"{prop}\"[^>]+content=\"([^\"]+)\"", text, re.I
        )
        if m:
            # The attribute as written in HTML ("M&amp;S"): its text is "M&S".
            return html.unescape(m.group(1)).strip()
    parts = [p.strip() for p in re.split(r"\s[-|–—_]\s", title) if p.strip()]
    return parts[-1] if parts else title.strip()


def _language_of(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    m = re.search(r"<html[^>]*\blang=\"([^\"]+)\"", text, re.I)
    if m:
        return m.group(1)
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    return "zh" if cjk > 50 else "en"


def _timings(steps: list[Step]) -> dict[str, Any]:
    pages = [
        {"step": s.id, "url": s.final_url or s.url, **s.timings}
        for s in steps
        if s.timings and s.timings.get("load")
    ]
    loads = [p["load"] for p in pages if p.get("load", 0) > 0]
    return {
        "pages": pages,
        "median_load_ms": statistics.median(loads) if loads else None,
        "max_load_ms": max(loads) if loads else None,
        "step": pages[0]["step"] if pages else "",
    }


NOT_IN_JOURNEY = "not part of this scan's journey"


def reach_rows(c: Crawl, untried_note: str = NOT_IN_JOURNEY) -> list[dict[str, Any]]:
    """The reach table: one row per page kind, {kind, status, url, found_by, confidence, note,
    step}. The scan writes it into the manifest and `b2cect discover` prints it (and pins its
    URLs in the draft profile), so both always say the same. URLs and notes come redacted."""
    rows = []
    for kind in PAGE_KINDS:
        row = c.reach.get(kind)
        if row is None:
            if kind == "info":
                continue
            row = {
                "kind": kind,
                "status": "skipped",
                "url": "",
                "found_by": "",
                "confidence": 0,
                "note": c.redactor.text(why_untried(c, kind) or untried_note, True),
                "step": "",
            }
        else:
            row = dict(row)
            row["url"] = c.redactor.text(row["url"], True)
            row["note"] = c.redactor.text(row["note"], True)
        rows.append(row)
    return rows


ORDER_PAGES = ("payment", "payment_result", "order_confirmation")


def why_untried(c: Crawl, kind: str) -> str:
    """Why the journey has no step of a kind it did set out to reach, or "" when it did not."""
    steps = c.writer.steps
    if kind == "checkout_review":
        walked = [s for s in steps if s.kind == "checkout"]
        if walked:
            last = walked[-1]
            return f"not reached: the checkout stopped at {last.id} ({last.error or last.status})"
    if kind in ORDER_PAGES:
        place = next((s for s in steps if s.kind == "order_place"), None)
        if place is not None:
            return f"not run: the order was not placed ({place.error or place.status})"
    return ""


def popups_fact(writer: BundleWriter, c: Crawl) -> None:
    """Add the pop-ups the session closed by itself (over later pages, or in the way of a
    click) to the `popups` fact the journey's popups step wrote."""
    if not c.dismissed:
        return
    fact = writer.facts.setdefault("popups", {"step": c.dismissed[0]["step"], "dismissed": []})
    fact.setdefault("dismissed", []).extend(c.dismissed)


def _final_redaction(writer: BundleWriter, c: Crawl) -> None:
    red = c.redactor
    for step in writer.steps:
        personal = step.id in c.personal_steps
        for attr in ("url", "final_url", "title", "error", "found_by"):
            setattr(step, attr, red.text(getattr(step, attr), personal))
        if step.html:
            path = writer.root / step.html
            text = path.read_text(encoding="utf-8")
            cleaned = red.text(text, personal)
            if cleaned != text:
                path.write_text(cleaned, encoding="utf-8")
    writer.facts = red.data(writer.facts, personal=True)
    for path in (writer.root / "downloads").glob("*"):
        if path.is_file():
            red.file(path, personal=True)
