"""The crawler's politeness hooks on a real page: 429/503 answers retried after Retry-After,
the throttle awaited before each attempt, robots.txt rules obeyed before opening a page."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from b2cect.crawler.browser import find_browser, launch, new_context
from b2cect.crawler.bundle import BundleWriter
from b2cect.crawler.discovery import load_vocabulary
from b2cect.crawler.polite import RobotsRules
from b2cect.crawler.profile import load_profile
from b2cect.crawler.redact import Redactor
from b2cect.crawler.session import Blocked, Crawl
from flask import Flask, Response, request
from werkzeug.serving import make_server

pytestmark = pytest.mark.browser


def busy_server() -> tuple[str, list[tuple[float, str, str]], object]:
    app = Flask("busy")
    hits: list[tuple[float, str, str]] = []
    answered = {"busy": 0}

    @app.route("/<path:path>")
    def page(path):
        hits.append((time.monotonic(), request.path, request.headers.get("User-Agent", "")))
        if path == "busy" and answered["busy"] == 0:
            answered["busy"] += 1
            return Response("slow down", status=429, headers={"Retry-After": "1"})
        return f"<html><body><h1>page {path}</h1></body></html>"

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", hits, server


def test_busy_answer_is_retried_after_retry_after_and_robots_obeyed(tmp_path: Path) -> None:
    origin, hits, server = busy_server()
    throttled: list[str] = []

    async def throttle(url: str) -> None:
        throttled.append(url)

    async def run() -> str:
        from playwright.async_api import async_playwright

        async with async_playwright() as pw:
            browser = await launch(pw, find_browser())
            context = await new_context(browser, user_agent="b2cect-test/1 (+contact)")
            page = await context.new_page()
            crawl = Crawl(
                page=page,
                context=context,
                writer=BundleWriter(tmp_path / "b", store={}, tool={}),
                vocab=load_vocabulary(),
                profile=load_profile(None),
                redactor=Redactor(),
                start_url=f"{origin}/",
                step_timeout_s=10,
            )
            crawl.throttle = throttle
            crawl.robots = RobotsRules("User-agent: *\nDisallow: /private/\n", "b2cect-test")
            response = await crawl.goto(f"{origin}/busy")
            text = await page.inner_text("h1")
            with pytest.raises(Blocked, match="robots.txt disallows"):
                await crawl.goto(f"{origin}/private/x")
            await browser.close()
            assert response.status == 200
            return text

    try:
        assert asyncio.run(run()) == "page busy"
    finally:
        server.shutdown()
    busy = [h for h in hits if h[1] == "/busy"]
    assert len(busy) == 2 and busy[1][0] - busy[0][0] >= 0.9  # waited for Retry-After
    assert all(agent == "b2cect-test/1 (+contact)" for _, _, agent in busy)
    assert throttled == [f"{origin}/busy", f"{origin}/busy"]  # before each attempt
    assert not any(path.startswith("/private/") for _, path, _ in hits)


def _follow_store_scripts(tmp_path: Path, url: str, obey: bool) -> tuple[list, list[str]]:
    """Open the pages of a store whose scripts navigate on their own; returns the step rows
    and the URLs the page showed after each script had its chance to move."""
    from b2cect.crawler.scan import ScanOptions, crawl_session

    opts = ScanOptions(url=url, out=tmp_path / "b", step_timeout_s=8, obey_robots=obey)
    writer = BundleWriter(opts.out, store={}, tool={})

    async def run() -> list[str]:
        shown = []
        async with crawl_session(opts, load_profile(None), writer, Redactor()) as (crawl, _):
            for path in ("/", "/about", "/products", "/cart"):
                try:
                    await crawl.goto(f"{url.rstrip('/')}{path}")
                except Exception:  # noqa: BLE001 - the page moving away mid-load is the point
                    pass
                await asyncio.sleep(0.6)  # the scripts move after 100 ms
                shown.append(crawl.page.url)
        return shown

    return writer.steps, asyncio.run(run())


def test_navigations_started_by_page_scripts_obey_robots(tmp_path: Path) -> None:
    from tests.hostile_store import HostileStore

    with HostileStore("script_navigates_private") as store:
        steps, shown = _follow_store_scripts(tmp_path, store.url, obey=True)
        seen = list(store.seen)
    assert not [p for p, _ in seen if p.startswith("/private/")]
    assert "/robots.txt" in {p for p, _ in seen}
    # One row per way the scripts tried (so they did run): each held, none reached the store.
    held = [s for s in steps if s.kind == "robots_disallowed"]
    held_paths = {s.url.split("/", 3)[3] for s in held}
    assert held_paths == {"private/moved", "private/popup", "private/refresh", "private/route"}
    assert all(s.status == "blocked" and "robots.txt disallows" in s.error for s in held)
    # The page stayed where the crawler put it (no error page in its place).
    assert [u.split("/", 3)[3] for u in shown] == ["", "about", "products", "cart"]
