"""Fleet runs against real stores on loopback: a demo seller among hostile stores, a fleet
killed with `kill -9` and started again, and the fleet report over what they recorded.
Scans are kept short (small budgets, one product) so the whole module stays fast."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from b2cect.demo import DEMO_PASSWORD, DEMO_USER, DemoStore
from b2cect.fleet import db
from b2cect.fleet.report import write_fleet_report
from b2cect.fleet.runner import run_fleet
from b2cect.fleet.sellers import load_sellers
from b2cect.fleet.task import KILL_GRACE_S, ScanJob, scan_in_child
from openpyxl import load_workbook

from tests.hostile_store import HOSTILE_NAMES, KINDS, HostileStore

pytestmark = pytest.mark.browser

CONTACT = "https://audits.example.org/b2cect"
HOSTILE_BUDGET_S = 25
DEMO_BUDGET_S = 240


def write_sellers(path: Path, sellers: list[dict], **fleet) -> Path:
    settings = {"contact": CONTACT, "step_timeout_s": 5, "max_products": 1, **fleet}
    path.write_text(yaml.safe_dump({"fleet": settings, "sellers": sellers}), encoding="utf-8")
    return path


def scans_by_seller(engine, run_id: int) -> dict[str, dict]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(db.scans).where(db.scans.c.run_id == run_id))
        return {r.seller_id: dict(r._mapping) for r in rows}


def test_hostile_stores_end_cleanly_and_the_demo_seller_is_scanned(tmp_path, monkeypatch):
    monkeypatch.setenv("FLEETDEMO_USER", DEMO_USER)
    monkeypatch.setenv("FLEETDEMO_PASSWORD", DEMO_PASSWORD)
    hostile = {kind: HostileStore(kind).start() for kind in KINDS}
    demo = DemoStore("compliant").start()
    try:
        sellers = [
            {
                "id": "demo",
                "name": "Demo",
                "url": demo.url,
                "login_env": "FLEETDEMO",
                "store_budget_s": DEMO_BUDGET_S,
            },
            *({"id": k.replace("_", "-"), "name": k, "url": s.url} for k, s in hostile.items()),
        ]
        fleet = load_sellers(
            write_sellers(tmp_path / "s.yaml", sellers, store_budget_s=HOSTILE_BUDGET_S)
        )
        events: list[tuple[str, str]] = []
        result = run_fleet(
            fleet,
            db_url=db.db_url(tmp_path / "h.sqlite"),
            out_root=tmp_path / "out",
            concurrency=6,
            state_dir=tmp_path / "state",
            progress=lambda event, seller, outcome: events.append((event, seller.id)),
        )
        seen = {kind: store.seen for kind, store in hostile.items()}
    finally:
        for store in hostile.values():
            store.stop()
        demo.stop()

    engine = db.open_db(tmp_path / "h.sqlite")
    scans = scans_by_seller(engine, result.run_id)
    assert set(scans) == {s["id"] for s in sellers}  # every store recorded, none twice
    assert sorted(e for e, _ in events) == ["done"] * len(sellers) + ["start"] * len(sellers)
    with engine.connect() as conn:
        run = conn.execute(sa.select(db.runs).where(db.runs.c.id == result.run_id)).one()
    assert run.status == "finished" and run.obey_robots

    for seller_id, scan in scans.items():
        budget = DEMO_BUDGET_S if seller_id == "demo" else HOSTILE_BUDGET_S
        took = (scan["finished_at"] - scan["started_at"]).total_seconds()
        assert took <= budget + KILL_GRACE_S + 15, (seller_id, took)
        assert scan["status"] in ("ok", "error")
        if scan["status"] == "error":
            assert scan["error"], seller_id  # an error always says why

    # The demo seller finished normally, with a sealed bundle and its verdicts.
    good = scans["demo"]
    assert good["status"] == "ok" and good["score"] > 30 and good["n_pass"] > 20
    manifest = Path(good["bundle_path"]) / "manifest.json"
    assert hashlib.sha256(manifest.read_bytes()).hexdigest() == good["bundle_sha256"]
    politeness = json.loads(manifest.read_text())["politeness"]
    assert CONTACT in politeness["user_agent"] and politeness["robots"] == "obeyed"
    with engine.connect() as conn:
        n = conn.execute(
            sa.select(sa.func.count()).where(db.verdicts.c.scan_id == good["id"])
        ).scalar()
    assert n == sum(
        good[f"n_{o}"] for o in ("pass", "fail", "needs_review", "not_applicable", "error")
    )

    # Stores that cannot be scanned say why, in words a person can act on.
    assert "HTTP 500" in scans["server-errors"]["error"]
    assert "REDIRECT" in scans["redirect-loop"]["error"].upper()
    never = scans["never-loads"]["error"]
    assert "timed out" in never or "watchdog" in never

    # Politeness as the stores saw it: our User-Agent, and robots.txt obeyed.
    names_seen = seen["hostile_names"]
    assert names_seen and all(CONTACT in agent for _, agent in names_seen)
    assert "/robots.txt" in {path for path, _ in names_seen}
    assert not any(path.startswith("/private/") for path, _ in names_seen)

    # Hostile product names stay inert in the seller's own report...
    names = scans["hostile-names"]
    if names["status"] == "ok":
        html = (Path(names["out_dir"]) / "report" / "report.html").read_text(encoding="utf-8")
        assert '<script>document.title="pwned"' not in html
    # ...and in the fleet report, whose names come from the sellers file and the stores.
    with engine.begin() as conn:
        conn.execute(
            db.sellers.update()
            .where(db.sellers.c.id == "hostile-names")
            .values(name=HOSTILE_NAMES[0])
        )
        conn.execute(
            db.sellers.update().where(db.sellers.c.id == "dialogs").values(name=HOSTILE_NAMES[1])
        )
    paths = write_fleet_report(engine, tmp_path / "report")
    html = paths["html"].read_text(encoding="utf-8")
    assert "&lt;script&gt;document.title" in html and "<script>" not in html
    assert html.count("data:image/png;base64,") == len(sellers)  # one trend plot per seller
    sheet = load_workbook(paths["xlsx"]).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not any(c.data_type == "f" for c in cells)
    assert any(str(c.value).startswith("'=HYPERLINK") for c in cells)
    assert len(sheet._images) == len(sellers)


def test_a_killed_fleet_resumes_without_losing_or_rescanning(tmp_path):
    quick, slow = HostileStore("server_errors").start(), HostileStore("never_loads").start()
    try:
        sellers_file = write_sellers(
            tmp_path / "s.yaml",
            [
                {"id": "quick", "name": "Quick", "url": quick.url},
                {"id": "slow", "name": "Slow", "url": slow.url},
            ],
            store_budget_s=10,
        )
        database = tmp_path / "h.sqlite"
        cmd = [
            sys.executable,
            "-m",
            "b2cect.cli",
            "fleet",
            "run",
            str(sellers_file),
            "--db",
            str(database),
            "--out",
            str(tmp_path / "out"),
            "--concurrency",
            "1",
        ]
        fleet_proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        engine = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if database.exists():
                engine = engine or db.open_db(database)
                done = db.done_sellers(engine, 1) if _has_run(engine) else set()
                if done == {"quick"}:
                    break
            time.sleep(0.3)
        else:
            pytest.fail("the first store was never recorded")
        time.sleep(1.5)  # the second scan's browser is up
        os.kill(fleet_proc.pid, signal.SIGKILL)
        fleet_proc.wait(timeout=10)
        first = scans_by_seller(engine, 1)
        assert set(first) == {"quick"}  # the unfinished scan left nothing behind

        # The orphaned scan process (and its browser) dies with the fleet that started it.
        job_files = list((tmp_path / "out" / "slow").glob("*/job.json"))
        assert job_files
        time.sleep(3)
        assert not _processes_reading(job_files[0])

        again = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert "resumed run 1: 1 store(s) already done" in again.stdout
        second = scans_by_seller(engine, 1)
        assert set(second) == {"quick", "slow"}
        assert second["quick"] == first["quick"]  # kept, not rescanned
        assert second["slow"]["status"] == "error"
        with engine.connect() as conn:
            assert conn.execute(sa.select(db.runs.c.status)).scalars().all() == ["finished"]
            assert conn.execute(sa.select(sa.func.count()).select_from(db.scans)).scalar() == 2
    finally:
        quick.stop()
        slow.stop()


def _has_run(engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(db.runs)).scalar() > 0


def _processes_reading(job_file: Path) -> list[int]:
    """Live processes whose command line names the job file (the scan's child process)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
            state = (proc / "stat").read_text().split()[2]
        except OSError:
            continue
        if str(job_file) in cmdline and state != "Z":
            pids.append(int(proc.name))
    return pids


def _job(tmp_path: Path, url: str, **settings) -> ScanJob:
    from b2cect.fleet.sellers import FleetSettings

    merged = {**FleetSettings(step_timeout_s=5, max_products=1).as_dict(), **settings}
    return ScanJob(
        run_id=0,
        seller={"id": "s", "name": "S", "url": url, "tags": []},
        settings=merged,
        user_agent="b2cect-test",
        out_root=str(tmp_path / "out"),
        state_dir=str(tmp_path / "state"),
        db="",
    )


def _browser_pids(marker: str) -> set[int]:
    """Live Chromium processes whose environment carries `marker`: the ones this test's scan
    started (other tests, in parallel workers, run browsers of their own)."""
    pids = set()
    needle = marker.encode()
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and b"chrom" in (proc / "cmdline").read_bytes()[:200]:
                alive = (proc / "stat").read_text().split()[2] != "Z"
                if alive and needle in (proc / "environ").read_bytes():
                    pids.add(int(proc.name))
        except OSError:
            continue
    return pids


def test_the_watchdog_kills_a_scan_over_budget_with_its_browser(tmp_path, monkeypatch):
    marker = f"B2CECT_WATCHDOG_TEST={tmp_path.name}"
    monkeypatch.setenv("B2CECT_WATCHDOG_TEST", tmp_path.name)  # inherited by the scan's browser
    seen: set[int] = set()
    done = threading.Event()

    def watch() -> None:  # the browsers the scan started, seen while it runs
        while not done.is_set():
            seen.update(_browser_pids(marker))
            time.sleep(0.1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    with HostileStore("never_loads") as store:
        t0 = time.monotonic()
        outcome = scan_in_child(_job(tmp_path, store.url, store_budget_s=4))
        took = time.monotonic() - t0
    done.set()
    watcher.join()
    assert outcome["status"] == "error"
    assert outcome["error"] == "killed by the watchdog: the scan exceeded its budget of 4 s"
    assert took < 4 + KILL_GRACE_S + 5
    (job_file,) = (tmp_path / "out" / "s").glob("*/job.json")
    assert not _processes_reading(job_file)
    assert seen, "the scan's browser was never seen: the check below would prove nothing"
    # The scan's own browser went with it: no Chromium of this scan is left.
    deadline = time.monotonic() + 5
    while _browser_pids(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _browser_pids(marker)


def test_a_scan_process_that_fails_is_an_error_with_its_reason(tmp_path):
    outcome = scan_in_child(_job(tmp_path, "http://127.0.0.1:9/", browser="/nonexistent"))
    assert outcome["status"] == "error"
    assert "BrowserNotFound" in outcome["error"] and "/nonexistent" in outcome["error"]


def test_the_watchdog_kills_a_scan_over_its_memory_limit(tmp_path):
    with HostileStore("hostile_names") as store:
        outcome = scan_in_child(_job(tmp_path, store.url, store_budget_s=60, store_memory_mib=60))
    assert outcome["status"] == "error"
    assert outcome["error"].startswith("killed by the watchdog: the scan used ")
    assert outcome["error"].endswith("MiB, over its limit of 60 MiB")
    (job_file,) = (tmp_path / "out" / "s").glob("*/job.json")
    assert not _processes_reading(job_file)
