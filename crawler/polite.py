"""Politeness on the crawler's side: robots.txt rules and backing off a busy server.

The fleet (b2cect.fleet.polite) adds what spans many scans: a per-host rate limit and a cap
on concurrent pages. It reaches the crawler through ScanOptions.throttle, an async function
awaited before each navigation (Crawl.goto); anything else that issues requests (a request
guard, the link client) may await the same function.
"""

from __future__ import annotations

import email.utils
import time
from typing import Any
from urllib.robotparser import RobotFileParser

RETRY_STATUSES = (429, 503)
MAX_RETRIES = 2
ROBOTS_MAX_BYTES = 512 * 1024


class RobotsRules:
    """A store's robots.txt, read once per scan, asked before opening a page."""

    def __init__(self, text: str, user_agent: str):
        self.parser = RobotFileParser()
        self.parser.parse(text.splitlines())
        # robots.txt groups name products ("b2cect"), not whole User-Agent strings.
        self.agent = "b2cect" if "b2cect" in user_agent else user_agent

    def allows(self, url: str) -> bool:
        return self.parser.can_fetch(self.agent, url)


async def read_robots(client: Any, start_url: str, user_agent: str) -> RobotsRules | None:
    """The rules of the store's /robots.txt; None when there is none to obey (missing file,
    error, an HTML page answered in its place)."""
    from urllib.parse import urlsplit

    parts = urlsplit(start_url)
    url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    try:
        response = await client.get(url, timeout=8000, max_redirects=3)
        if response.status != 200:
            return None
        body = (await response.body())[:ROBOTS_MAX_BYTES].decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - no readable robots.txt: nothing is disallowed
        return None
    if "<html" in body[:500].lower():
        return None
    return RobotsRules(body, user_agent)


def retry_delay(response: Any, attempt: int, step_timeout_s: float) -> float | None:
    """Seconds to wait before trying a 429/503 answer again (Retry-After when given, else an
    exponential backoff), or None when the answer stands. Capped so the step can still end
    within its own limit."""
    if response is None or response.status not in RETRY_STATUSES or attempt >= MAX_RETRIES:
        return None
    cap = max(0.5, step_timeout_s / (MAX_RETRIES + 2))
    header = (response.headers or {}).get("retry-after", "").strip()
    wait = parse_retry_after(header)
    if wait is None:
        wait = 1.0 * 2**attempt
    return min(wait, cap)


def parse_retry_after(value: str) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
