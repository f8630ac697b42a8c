"""A fleet run on one machine: N scans at once, each in its own process, each recorded as it
finishes; a run killed midway resumes where it stopped.

Browser modes (`browser_mode`): "per-scan" (the default) gives each scan process a Chromium of
its own; "shared" runs one Chromium for the whole run (shared_browser.py) and each scan
process works in a context of its own in it. benchmarks/fleet_bench.py measures both; the
figures and the reasons for the default are in docs/fleet.md.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import db
from .sellers import FleetSettings, Seller, SellersFile
from .shared_browser import SharedBrowser
from .task import ScanJob, run_scan_task

# Memory of one scan (Chromium, driver, Python): 0.5-0.65 GiB PSS on the demo stores in
# benchmarks/fleet_bench.py; with headroom.
MEMORY_PER_SCAN_GIB = 1.0
BROWSER_MODES = ("per-scan", "shared")
DEFAULT_BROWSER_MODE = "per-scan"


def default_concurrency() -> int:
    """Concurrent scans this machine holds: scans mostly wait on the network and the page, so
    two per CPU (on 2 CPUs, 4 scans at once gave 1.3x the stores per hour of 2), bounded by
    the memory available."""
    cpus = os.cpu_count() or 1
    try:
        avail_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES") / 2**30
    except (ValueError, OSError):
        avail_gib = 2.0
    return max(1, min(2 * cpus, int(avail_gib // MEMORY_PER_SCAN_GIB)))


@dataclass
class FleetResult:
    run_id: int
    resumed: bool
    skipped: list[str] = field(default_factory=list)  # finished in an earlier attempt of the run
    outcomes: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def failed(self) -> list[str]:
        return [sid for sid, o in self.outcomes.items() if o["status"] != "ok"]


# progress(event, seller, outcome): event is "start" or "done"; outcome is None at start.
Progress = Callable[[str, Seller, dict[str, Any] | None], None]


def interleave_hosts(sellers: list[Seller]) -> list[Seller]:
    """Round-robin over hosts, so sellers of one marketplace host do not queue up together
    behind its page cap while other hosts wait."""
    by_host: dict[str, list[Seller]] = defaultdict(list)
    for s in sellers:
        by_host[s.host].append(s)
    queues = list(by_host.values())
    ordered: list[Seller] = []
    while any(queues):
        for q in queues:
            if q:
                ordered.append(q.pop(0))
    return ordered


def run_fleet(
    fleet: SellersFile,
    *,
    db_url: str,
    out_root: Path,
    concurrency: int | None = None,
    rescan: bool = False,
    store: str | None = None,
    state_dir: Path | None = None,
    progress: Progress | None = None,
    browser_mode: str = DEFAULT_BROWSER_MODE,
) -> FleetResult:
    """Scan every seller of the file not yet recorded in this fleet's unfinished run (all of
    them with rescan), `concurrency` at a time, and close the run when all are recorded."""
    if browser_mode not in BROWSER_MODES:
        raise ValueError(f"browser_mode must be one of {BROWSER_MODES}, not {browser_mode!r}")
    engine = db.open_db(db_url)
    settings: FleetSettings = fleet.settings
    run_id, resumed = db.start_run(
        engine,
        fleet.key,
        str(fleet.path.resolve()),
        settings.as_dict(),
        mode="local",
        resume=not rescan,
    )
    done = db.done_sellers(engine, run_id)
    result = FleetResult(run_id, resumed, skipped=[s.id for s in fleet.sellers if s.id in done])
    todo = interleave_hosts([s for s in fleet.sellers if s.id not in done])
    out_root = Path(out_root).resolve()
    out_root.mkdir(parents=True, exist_ok=True)
    state = Path(state_dir or Path(tempfile.gettempdir()) / "b2cect-fleet-state")
    lock = threading.Lock()

    def one(seller: Seller) -> tuple[Seller, dict[str, Any]]:
        if progress:
            progress("start", seller, None)
        job = ScanJob(
            run_id=run_id,
            seller=seller.as_dict(),
            settings=settings.as_dict(),
            user_agent=settings.user_agent(),
            out_root=str(out_root),
            state_dir=str(state),
            db=db_url,
            store=store,
        )
        try:
            outcome = run_scan_task(job, engine, shared=shared)
        except Exception as exc:  # noqa: BLE001 - the fleet goes on; the store is an error
            outcome = {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:500]}
        return seller, outcome

    workers = max(1, concurrency or default_concurrency())
    shared: SharedBrowser | None = None
    if browser_mode == "shared" and todo:
        # One browser for all: the memory limit covers it as a whole, at the budget the same
        # number of browsers of their own would have.
        memory = float(settings.store_memory_mib or 0) * min(workers, len(todo))
        shared = SharedBrowser(settings.browser, memory_mib=memory)
        shared.start()
    try:
        _scan_all(todo, one, workers, result, lock, progress)
    finally:
        if shared is not None:
            shared.stop()
    if len(db.done_sellers(engine, run_id)) >= len(fleet.sellers):
        db.finish_run(engine, run_id)
    engine.dispose()
    return result


def _scan_all(
    todo: list[Seller],
    one: Callable[[Seller], tuple[Seller, dict[str, Any]]],
    workers: int,
    result: FleetResult,
    lock: threading.Lock,
    progress: Progress | None,
) -> None:
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fleet-scan") as pool:
        futures = [pool.submit(one, s) for s in todo]
        for future in as_completed(futures):
            seller, outcome = future.result()
            with lock:
                result.outcomes[seller.id] = outcome
            if progress:
                progress("done", seller, outcome)
