"""Scan one seller and record it: the one task function of local fleet runs, scheduled runs
and Celery workers (distributed.py wraps it unchanged).

    outcome = run_scan_task(ScanJob(...))

The scan runs in a child process (child.py) in a session of its own. A watchdog waits for it
at most the store's budget, and kills the whole process group (the browser with it) sooner if
the group's memory passes the store's limit (a 30 MB page can take Chromium past 6 GiB); the
store is then recorded as `error` with the reason. The finished scan, with all its verdicts, is
written to the history in one transaction.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import db
from .polite import HostPageSlots
from .storage import open_store

if TYPE_CHECKING:
    from .shared_browser import SharedBrowser

# Time a scan needs after its journey (audit, reports) beyond the steps themselves.
KILL_GRACE_S = 5
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class ScanJob:
    run_id: int
    seller: dict[str, Any]  # Seller.as_dict()
    settings: dict[str, Any]  # FleetSettings.as_dict()
    user_agent: str
    out_root: str  # where this worker writes scan folders
    state_dir: str  # politeness lock files (shared by all scans of the fleet on this machine)
    db: str  # database URL or SQLite path
    store: str | None = None  # where finished scan folders go (default: out_root)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def scan_folder(out_root: Path, seller_id: str) -> Path:
    """A new folder for one scan of one seller: <out>/<seller>/<UTC time>-<random>; two scans
    never share one, even of sellers on one host started within the same second."""
    stamp = db.now().strftime("%Y%m%d-%H%M%S")
    path = Path(out_root) / seller_id / f"{stamp}-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True, exist_ok=False)
    return path


def run_scan_task(
    job: ScanJob, engine: Any = None, worker: str = "", shared: SharedBrowser | None = None
) -> dict[str, Any]:
    """Scan the job's seller (waiting for a free page slot on its host), store the scan
    folder, and record the outcome; returns the outcome with the new scan's id.
    shared: the fleet's shared browser to scan in (None: the scan launches its own)."""
    engine = engine or db.open_db(job.db)
    slots = HostPageSlots(Path(job.state_dir), int(job.settings["pages_per_host"]))
    with slots.hold(job.seller["url"]):
        outcome = scan_in_child(job, shared)
    key = Path(outcome["out_dir"]).relative_to(Path(job.out_root).resolve()).as_posix()
    stored = open_store(job.store, Path(job.out_root)).put(Path(outcome["out_dir"]), key)
    if stored != outcome["out_dir"]:
        if outcome.get("bundle_path"):
            outcome["bundle_path"] = outcome["bundle_path"].replace(outcome["out_dir"], stored, 1)
        outcome["out_dir"] = stored
    outcome["worker"] = worker or socket.gethostname()
    outcome["scan_id"] = db.record_scan(engine, job.run_id, job.seller, outcome)
    return outcome


def scan_in_child(job: ScanJob, shared: SharedBrowser | None = None) -> dict[str, Any]:
    """Run the scan in its own process under the watchdog; never raises for a store's fault.
    With a shared browser the process connects to it instead of launching one; a scan the
    shared browser was restarted under is an error, whatever the process reported."""
    started = db.now()
    out_dir = scan_folder(Path(job.out_root).resolve(), job.seller["id"])
    budget = float(job.seller.get("store_budget_s") or job.settings["store_budget_s"])
    job_file = out_dir / "job.json"
    # The child needs no database: its URL (which may carry a password) stays out of the
    # scan folder.
    child_job = {k: v for k, v in job.as_dict().items() if k != "db"}
    generation = 0
    if shared is not None:
        generation = shared.generation
        child_job["browser_endpoint"] = shared.endpoint
        child_job["browser_downloads"] = str(shared.downloads)
    job_file.write_text(
        json.dumps({**child_job, "out_dir": str(out_dir), "parent_pid": os.getpid()}),
        encoding="utf-8",
    )
    outcome: dict[str, Any] = {"out_dir": str(out_dir), "started_at": started}
    outcome["obey_robots"] = bool(job.settings.get("obey_robots", True))
    with (out_dir / "child.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "b2cect.fleet.child", str(job_file)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the watchdog kills the browser too
        )
        memory_mib = float(job.settings.get("store_memory_mib") or 0)
        try:
            code, breach = watch(proc, budget + KILL_GRACE_S, memory_mib)
        finally:
            kill_group(proc)  # a browser left behind by a finished child goes too
        if breach:
            outcome.update(status="error", error=f"killed by the watchdog: {breach}")
            return finish(outcome)
        if code is None:
            outcome.update(
                status="error",
                error=f"killed by the watchdog: the scan exceeded its budget of {budget:g} s",
            )
            return finish(outcome)
    restarted = shared.restart_since(generation) if shared is not None else ""
    if restarted:
        outcome.update(
            status="error",
            error=f"the shared browser was restarted during the scan ({restarted}); "
            "its pages were lost",
        )
        return finish(outcome)
    result_file = out_dir / "result.json"
    if not result_file.is_file():
        tail = (out_dir / "child.log").read_text(encoding="utf-8", errors="replace")
        last = [line for line in tail.splitlines() if line.strip()][-1:] or [""]
        outcome.update(
            status="error", error=f"the scan process ended with code {code}: {last[0][:300]}"
        )
        return finish(outcome)
    result = json.loads(result_file.read_text(encoding="utf-8"))
    outcome.update(result)
    bundle = Path(result.get("bundle_dir") or out_dir / "bundle")
    if (bundle / "manifest.json").is_file():
        # The child's result carries bundle_sha256, the manifest's own hash (it seals every file).
        outcome["bundle_path"] = str(bundle)
    return finish(outcome)


def watch(
    proc: subprocess.Popen, limit_s: float, memory_mib: float, poll_s: float = 0.5
) -> tuple[int | None, str]:
    """Wait for the scan process; returns (exit code, "") when it ends in time, (None, "") when
    its time is up, or (None, why) when its process group (browser included) used more than
    memory_mib (0: no memory limit). The caller kills the group."""
    deadline = time.monotonic() + limit_s
    while True:
        try:
            return proc.wait(timeout=max(0.01, min(poll_s, deadline - time.monotonic()))), ""
        except subprocess.TimeoutExpired:
            pass
        if time.monotonic() >= deadline:
            return None, ""
        if memory_mib:
            used = group_rss_mib(proc.pid)
            if used > memory_mib:
                return None, f"the scan used {used:.0f} MiB, over its limit of {memory_mib:g} MiB"


def group_rss_mib(pgid: int) -> float:
    """Resident memory of all processes of a process group (the scan, its driver and browser),
    in MiB. Pages shared between Chromium's processes count once per process, so this
    overstates a little; the limit is set with that in mind."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid:
            total += int(fields[21]) * PAGE_SIZE
    return total / 2**20


def finish(outcome: dict[str, Any]) -> dict[str, Any]:
    outcome["finished_at"] = db.now()
    outcome.setdefault("error", "")
    return outcome


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the child's process group (its browser and driver with it), then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
