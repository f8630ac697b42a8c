"""Downloads are bounded while they arrive: an endless export is cut at the byte cap or the
time cap, its request is aborted, nothing is held in memory, and the scan goes on."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from b2cect.crawler.downloads import MAX_DOWNLOAD_BYTES, bounded_download, folder_size

from tests.trap_stores.endless_export import PASSWORD, USER, EndlessExportStore

ROOT = Path(__file__).resolve().parents[1]
# What can arrive between two looks at the folder and the cancel taking effect (the test
# store streams at up to ~60 MB/s).
MARGIN = 4 * 1024 * 1024
SCAN = """
import sys
from pathlib import Path
from b2cect.crawler.scan import ScanOptions, scan_sync
scan_sync(ScanOptions(url=sys.argv[1], out=Path(sys.argv[2]), step_timeout_s=8, max_products=1,
                      credentials=(sys.argv[3], sys.argv[4])))
"""


def watch_downloads(tmpdir: Path, stop: threading.Event, peak: list[int]) -> None:
    """Sample the size of the scan's downloads folders until told to stop."""
    while not stop.is_set():
        for folder in tmpdir.glob("b2cect-downloads-*"):
            try:
                peak[0] = max(peak[0], folder_size(folder))
            except OSError:
                pass
        time.sleep(0.005)


@pytest.mark.browser
def test_an_endless_export_is_cut_at_the_cap_and_the_journey_goes_on(tmp_path, request):
    # A short folder: Chromium's socket paths under TMPDIR must stay short.
    tmpdir = Path(tempfile.mkdtemp(prefix="b2t-", dir="/tmp"))
    request.addfinalizer(lambda: shutil.rmtree(tmpdir, ignore_errors=True))
    out = tmp_path / "bundle"
    env = {**os.environ, "TMPDIR": str(tmpdir), "PYTHONPATH": str(ROOT)}
    stop, peak = threading.Event(), [0]
    watcher = threading.Thread(target=watch_downloads, args=(tmpdir, stop, peak), daemon=True)
    with EndlessExportStore() as store:
        watcher.start()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        run = subprocess.run(
            [sys.executable, "-c", SCAN, store.url, str(out), USER, PASSWORD],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        stop.set()
        sent = store.sent
        time.sleep(1)
        assert store.sent == sent, "the export request was not aborted"
    assert run.returncode == 0, run.stderr[-2000:]
    # Largest process of the scan (Python or any browser process): nowhere near the stream.
    peak_rss_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    assert peak_rss_mb < 1024, f"peak RSS {peak_rss_mb:.0f} MB"
    assert peak[0] <= MAX_DOWNLOAD_BYTES + MARGIN, f"downloads folder reached {peak[0]} bytes"
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    export = facts["order_export"]["files"][0]
    assert export["path"] == "" and "larger than" in export["error"]
    assert MAX_DOWNLOAD_BYTES < export["bytes_received"] <= MAX_DOWNLOAD_BYTES + MARGIN
    assert not list((out / "downloads").iterdir())
    # The journey went on after the export: the information pages were read.
    steps = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["steps"]
    kinds = [s["kind"] for s in steps]
    after = steps[kinds.index("order_export") + 1 :]
    assert any(s["kind"] == "privacy" and s["status"] == "ok" for s in after)


@pytest.mark.browser
def test_a_download_that_never_finishes_is_cancelled_at_the_time_cap(tmp_path):
    from b2cect.crawler.browser import find_browser, launch
    from b2cect.crawler.scan import run_sync
    from playwright.sync_api import sync_playwright  # noqa: F401 - the browser must be there

    folder = tmp_path / "downloads"
    folder.mkdir()

    async def run(url: str):
        from playwright.async_api import async_playwright

        async with async_playwright() as pw:
            browser = await launch(pw, find_browser(), downloads_path=folder)
            page = await (await browser.new_context(accept_downloads=True)).new_page()
            await page.goto(url + "orders/print-export")
            t0 = time.monotonic()
            fetched = await bounded_download(page, folder, lambda: page.click("#xls"), timeout_s=2)
            took = time.monotonic() - t0
            await browser.close()
            return fetched, took

    with EndlessExportStore() as store:
        fetched, took = run_sync(run(store.url))
        sent = store.sent
        time.sleep(0.5)
        assert store.sent == sent, "the download's request was not aborted"
    assert fetched.path is None and "not finished after 2 s" in fetched.error
    assert took < 6
    assert folder_size(folder) == 0
