"""Scheduled fleet scans on one machine: each seller's scan starts by its cron expression
(APScheduler). A seller's scan never overlaps the previous one: APScheduler runs one instance
of a seller's job at a time, and a lock file per seller keeps a second scheduler on the same
machine (or a shared state folder) from starting it too."""

from __future__ import annotations

import fcntl
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from .runner import Progress, run_fleet
from .sellers import SellersFile

DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def cron_trigger(expression: str) -> Any:
    """An APScheduler trigger for a standard 5-field cron expression (UTC).

    Cron counts weekdays from Sunday = 0 (and 7), APScheduler 3 from Monday = 0: numbers in the
    weekday field become names first, so "0 3 * * 1" runs on Mondays as cron means it."""
    from apscheduler.triggers.cron import CronTrigger

    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"cron expression {expression!r} must have 5 fields")
    fields[4] = re.sub(r"(?<![/\d])\d+", lambda m: DAY_NAMES[int(m.group()) % 8], fields[4])
    return CronTrigger.from_crontab(" ".join(fields), timezone="UTC")


def scan_one(
    fleet: SellersFile,
    seller_id: str,
    *,
    db_url: str,
    out_root: Path,
    state_dir: Path,
    store: str | None = None,
    progress: Progress | None = None,
) -> bool:
    """One scheduled scan of one seller, in a run of its own. Returns False (and does nothing)
    when a scan of this seller is still running."""
    state_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(state_dir / f"scheduled-{seller_id}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        one = replace(fleet, sellers=[s for s in fleet.sellers if s.id == seller_id])
        run_fleet(
            one,
            db_url=db_url,
            out_root=out_root,
            concurrency=1,
            rescan=True,
            store=store,
            state_dir=state_dir,
            progress=progress,
        )
        return True
    finally:
        os.close(fd)


def build_scheduler(fleet: SellersFile, *, blocking: bool = True, **scan_kwargs: Any) -> Any:
    """A scheduler with one job per seller that has a `schedule`."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone="UTC")
    for seller in fleet.sellers:
        if not seller.schedule:
            continue
        scheduler.add_job(
            scan_one,
            cron_trigger(seller.schedule),
            args=[fleet, seller.id],
            kwargs=scan_kwargs,
            id=f"scan-{seller.id}",
            name=f"scan {seller.id}",
            max_instances=1,  # never two scans of one seller at once
            coalesce=True,  # missed firings (machine asleep) run once, not many times
            misfire_grace_time=3600,
        )
    return scheduler
