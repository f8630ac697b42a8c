"""Find and launch the Chromium the crawler drives.

The system browser is preferred (our machines have /usr/bin/chromium); Playwright's own
managed browser is the fallback. `B2CECT_BROWSER` names an executable to use instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV_BROWSER = "B2CECT_BROWSER"
SYSTEM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")

# Flags that keep a headless Chromium quiet and working inside containers.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
LOCALE = "zh-CN"

INSTALL_HINT = (
    "no Chromium found: install one with `apt-get install chromium fonts-wqy-zenhei` "
    "(the fonts render Chinese pages), or `playwright install chromium`, "
    f"or set {ENV_BROWSER}=/path/to/chrome"
)


class BrowserNotFound(RuntimeError):
    """No usable Chromium; the message says what to install."""


@dataclass
class BrowserInfo:
    executable: str
    version: str
    name: str = "chromium"

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "executable": self.executable}


def _version_of(executable: str) -> str:
    try:
        out = subprocess.run(
            [executable, "--version"], capture_output=True, text=True, timeout=15, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    m = re.search(r"(\d+\.\d+\.\d+\.\d+)", out)
    return m.group(1) if m else out.strip()[:60]


def _resolve(name: str) -> str | None:
    path = Path(name)
    if path.is_absolute():
        return str(path) if path.is_file() and os.access(path, os.X_OK) else None
    return shutil.which(name)


def _playwright_managed() -> str | None:
    """The Chromium `playwright install` downloaded, if any (no network access here)."""
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            path = p.chromium.executable_path
    except Exception:  # Playwright not set up: not an error, just not available
        return None
    return path if path and Path(path).is_file() else None


def find_browser(explicit: str | Path | None = None) -> BrowserInfo:
    """The browser to drive: explicit path, then $B2CECT_BROWSER, then system, then Playwright's."""
    wanted = str(explicit) if explicit else os.environ.get(ENV_BROWSER, "").strip()
    if wanted:
        path = _resolve(wanted)
        if not path:
            source = "--browser" if explicit else ENV_BROWSER
            raise BrowserNotFound(f"{source}={wanted} is not an executable file; {INSTALL_HINT}")
        return BrowserInfo(path, _version_of(path))
    for name in SYSTEM_CANDIDATES:
        path = _resolve(name)
        if path:
            return BrowserInfo(path, _version_of(path))
    managed = _playwright_managed()
    if managed:
        return BrowserInfo(managed, _version_of(managed))
    raise BrowserNotFound(INSTALL_HINT)


async def launch(
    playwright: Any, info: BrowserInfo, headless: bool = True, downloads_path: Path | None = None
) -> Any:
    """An async Playwright Browser on the found executable; downloads go to downloads_path
    (where the crawler watches their size while they arrive)."""
    kwargs: dict[str, Any] = {}
    if downloads_path is not None:
        kwargs["downloads_path"] = str(downloads_path)
    return await playwright.chromium.launch(
        executable_path=info.executable, headless=headless, args=LAUNCH_ARGS, **kwargs
    )


async def new_context(
    browser: Any,
    storage_state: str | None = None,
    block_service_workers: bool = False,
    user_agent: str | None = None,
) -> Any:
    """A fresh context as a Chinese-speaking desktop customer would have it.

    block_service_workers: requests a service worker makes bypass context routing, so where
    routing must see every request (the order guard) the store's service worker is not run.
    """
    kwargs: dict[str, Any] = {
        "locale": LOCALE,
        "viewport": VIEWPORT,
        "accept_downloads": True,
        "ignore_https_errors": False,
    }
    if block_service_workers:
        kwargs["service_workers"] = "block"
    if storage_state:
        kwargs["storage_state"] = storage_state
    if user_agent:
        kwargs["user_agent"] = user_agent
    return await browser.new_context(**kwargs)
