"""The fleet's shared-browser mode against real stores on loopback: scans in contexts of one
Chromium, the watchdog stopping a hung scan without touching the browser, and a browser that
crashes under a scan being restarted with the scan recorded as an error."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from b2cect.fleet import db
from b2cect.fleet.runner import run_fleet
from b2cect.fleet.sellers import FleetSettings, load_sellers
from b2cect.fleet.shared_browser import SharedBrowser, descendants
from b2cect.fleet.task import ScanJob, scan_in_child

from tests.hostile_store import HostileStore

pytestmark = pytest.mark.browser


def _job(tmp_path: Path, seller_id: str, url: str, **settings) -> ScanJob:
    merged = {**FleetSettings(step_timeout_s=5, max_products=1).as_dict(), **settings}
    return ScanJob(
        run_id=0,
        seller={"id": seller_id, "name": seller_id, "url": url, "tags": []},
        settings=merged,
        user_agent="b2cect-test",
        out_root=str(tmp_path / "out"),
        state_dir=str(tmp_path / "state"),
        db="",
    )


def _chromium_pids(shared: SharedBrowser) -> set[int]:
    assert shared.proc is not None
    return set(descendants(shared.proc.pid)) - {shared.proc.pid}


def test_a_fleet_in_one_shared_browser_scans_and_stops_a_hung_store(tmp_path):
    names, hung = HostileStore("hostile_names").start(), HostileStore("never_loads").start()
    try:
        sellers = [
            {"id": "names", "name": "Names", "url": names.url},
            {"id": "hung", "name": "Hung", "url": hung.url, "store_budget_s": 10},
        ]
        path = tmp_path / "s.yaml"
        settings = {"step_timeout_s": 5, "max_products": 1, "store_budget_s": 120}
        path.write_text(yaml.safe_dump({"fleet": settings, "sellers": sellers}), "utf-8")
        result = run_fleet(
            load_sellers(path),
            db_url=db.db_url(tmp_path / "h.sqlite"),
            out_root=tmp_path / "out",
            concurrency=2,
            state_dir=tmp_path / "state",
            browser_mode="shared",
        )
    finally:
        names.stop()
        hung.stop()
    assert result.outcomes["names"]["status"] == "ok", result.outcomes["names"]["error"]
    assert result.outcomes["hung"]["status"] == "error"
    assert result.outcomes["hung"]["error"].startswith("killed by the watchdog: the scan exceeded")
    # Both scans ran in the run's one browser, not in browsers of their own.
    endpoints = {
        json.loads(p.read_text())["browser_endpoint"]
        for p in (tmp_path / "out").glob("*/*/job.json")
    }
    assert len(endpoints) == 1 and next(iter(endpoints)).startswith("ws://127.0.0.1:")
    engine = db.open_db(tmp_path / "h.sqlite")
    with engine.connect() as conn:
        rows = {r.seller_id: r for r in conn.execute(sa.select(db.scans))}
    assert rows["names"].status == "ok" and rows["hung"].status == "error"


def test_a_crashed_shared_browser_is_restarted_and_its_scans_are_errors(tmp_path):
    with SharedBrowser(poll_s=0.2) as shared, HostileStore("never_loads") as hung:
        first = _chromium_pids(shared)
        outcome: dict = {}
        scan = threading.Thread(
            target=lambda: outcome.update(
                scan_in_child(_job(tmp_path, "victim", hung.url, store_budget_s=40), shared)
            )
        )
        scan.start()
        deadline = time.monotonic() + 30
        # Wait for the scan to be inside the browser (a renderer for its page), then crash it.
        while len(_chromium_pids(shared)) <= len(first) and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in _chromium_pids(shared):
            os.kill(pid, signal.SIGKILL)
        scan.join(timeout=60)
        assert not scan.is_alive()
        assert outcome["status"] == "error"
        assert outcome["error"].startswith("the shared browser was restarted during the scan")
        assert "crashed" in outcome["error"]
        assert shared.generation >= 1
        # The new browser serves the next scan.
        assert _chromium_pids(shared) and not _chromium_pids(shared) & first
        with HostileStore("hostile_names") as names:
            after = scan_in_child(_job(tmp_path, "after", names.url, store_budget_s=120), shared)
        assert after["status"] == "ok", after["error"]


def test_a_download_in_the_shared_browser_is_copied_out_and_bounded(tmp_path):
    from b2cect.crawler.downloads import bounded_download
    from b2cect.crawler.scan import run_sync
    from flask import Flask, Response
    from werkzeug.serving import make_server

    csv = "订单号,金额\n" + "A1,10\n" * 20_000
    app = Flask("downloads")

    @app.route("/")
    def home():
        return '<a id="csv" href="/orders.csv">导出 Export</a>'

    @app.route("/orders.csv")
    def orders():
        headers = {"Content-Disposition": "attachment; filename=orders.csv"}
        return Response(csv, mimetype="text/csv", headers=headers)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    copies = tmp_path / "copies"
    copies.mkdir()

    async def run(shared: SharedBrowser):
        from playwright.async_api import async_playwright

        async with async_playwright() as pw:
            browser = await pw.chromium.connect(shared.endpoint)
            page = await (await browser.new_context(accept_downloads=True)).new_page()
            await page.goto(url)
            got = []
            for cap in (10_000_000, 1000):
                got.append(
                    await bounded_download(
                        page,
                        shared.downloads,
                        lambda: page.click("#csv"),
                        max_bytes=cap,
                        copy_to=copies,
                    )
                )
            await browser.close()
            return got

    try:
        with SharedBrowser() as shared:
            whole, capped = run_sync(run(shared))
    finally:
        server.shutdown()
    assert whole.error == "" and whole.path is not None and whole.path.parent == copies
    assert whole.path.read_text(encoding="utf-8") == csv
    assert capped.path is None and "larger than 1000 bytes" in capped.error
