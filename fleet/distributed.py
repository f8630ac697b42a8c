"""Fleet scans over many machines: Celery workers take scan tasks from a Redis broker and
write the shared (PostgreSQL) history; Celery beat starts scheduled scans.

The task body is task.run_scan_task, the same function a local fleet run calls. A worker
knows its database from its own `--db` (never from the task message, so no database password
travels through the broker) and writes scan folders under its `--out`, then hands them to
`--store` (a shared folder). Only one scan of a seller runs at a time, fleet-wide: a Redis
lock per seller, held for the scan's budget at most.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path
from typing import Any

from celery import Celery

from . import db
from .sellers import SellersFile
from .task import KILL_GRACE_S, ScanJob, run_scan_task

app = Celery("b2cect")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_acks_late=True,  # a worker that dies mid-scan leaves the task for another
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,  # a scan is long: take one at a time
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    result_expires=7 * 24 * 3600,
)

LOCK_PREFIX = "b2cect:seller-scan:"


def configure(broker: str) -> Celery:
    app.conf.broker_url = broker
    app.conf.result_backend = broker
    return app


def worker_settings() -> dict[str, str]:
    """This worker's own database, output and store folders (set by `b2cect worker`)."""
    return {
        "db": os.environ.get("B2CECT_DB", db.DEFAULT_DB),
        "out": os.environ.get("B2CECT_WORKER_OUT", "b2cect-fleet"),
        "store": os.environ.get("B2CECT_STORE", ""),
        "state": os.environ.get("B2CECT_STATE", "/tmp/b2cect-fleet-state"),
    }


def seller_lock(seller: dict[str, Any], budget_s: float) -> Any:
    """A Redis lock that keeps two scans of one seller from overlapping anywhere."""
    from redis import Redis

    client = Redis.from_url(app.conf.broker_url)
    return client.lock(LOCK_PREFIX + seller["id"], timeout=int(budget_s + KILL_GRACE_S + 60))


@app.task(name="b2cect.fleet.scan_seller")
def scan_seller(task: dict[str, Any]) -> dict[str, Any]:
    """Scan one seller for a run; `task` is a ScanJob without the worker's own settings.
    With run_id None (a scheduled scan) the scan gets a run of its own."""
    local = worker_settings()
    engine = db.open_db(local["db"])
    try:
        seller, settings = task["seller"], task["settings"]
        budget = float(seller.get("store_budget_s") or settings["store_budget_s"])
        lock = seller_lock(seller, budget)
        if not lock.acquire(blocking=False):
            return {"seller": seller["id"], "status": "skipped", "error": "already being scanned"}
        try:
            run_id = task.get("run_id")
            if run_id is None:
                run_id, _ = db.start_run(
                    engine, f"schedule:{seller['id']}", "(schedule)", settings, "beat", False
                )
            job = ScanJob(
                run_id=run_id,
                seller=seller,
                settings=settings,
                user_agent=task["user_agent"],
                out_root=str(Path(local["out"]).resolve()),
                state_dir=local["state"],
                db=local["db"],
                store=local["store"] or None,
            )
            outcome = run_scan_task(job, engine, worker=f"{scan_seller.request.hostname}")
            if task.get("run_id") is None:
                db.finish_run(engine, run_id)
        finally:
            try:
                lock.release()
            except Exception:  # noqa: BLE001 - expired: nothing left to release
                pass
        return {
            "seller": seller["id"],
            "status": outcome["status"],
            "error": outcome.get("error", ""),
            "scan_id": outcome["scan_id"],
            "score": outcome.get("score"),
        }
    finally:
        engine.dispose()


def task_message(fleet: SellersFile, seller_index: int, run_id: int | None) -> dict[str, Any]:
    seller = fleet.sellers[seller_index]
    return {
        "run_id": run_id,
        "seller": seller.as_dict(),
        "settings": fleet.settings.as_dict(),
        "user_agent": fleet.settings.user_agent(),
    }


def submit_fleet(
    fleet: SellersFile, broker: str, db_value: str, rescan: bool = False, wait: bool = True
) -> tuple[int, list[dict[str, Any]]]:
    """Queue a scan of every seller not yet recorded in this fleet's run; with wait, collect
    the outcomes and close the run. Returns (run id, outcomes)."""
    configure(broker)
    engine = db.open_db(db_value)
    run_id, _ = db.start_run(
        engine, fleet.key, str(fleet.path.resolve()), fleet.settings.as_dict(), "celery", not rescan
    )
    done = db.done_sellers(engine, run_id)
    pending = [
        scan_seller.apply_async(args=[task_message(fleet, i, run_id)])
        for i, s in enumerate(fleet.sellers)
        if s.id not in done
    ]
    outcomes: list[dict[str, Any]] = []
    if wait:
        longest = max(
            [float(s.store_budget_s or fleet.settings.store_budget_s) for s in fleet.sellers] or [0]
        )
        deadline = time.monotonic() + len(pending) * (longest + KILL_GRACE_S + 30)
        for result in pending:
            left = max(1.0, deadline - time.monotonic())
            outcomes.append(result.get(timeout=left, propagate=False) or {})
        if len(db.done_sellers(engine, run_id)) >= len(fleet.sellers):
            db.finish_run(engine, run_id)
    engine.dispose()
    return run_id, outcomes


def start_worker(broker: str, concurrency: int, name: str | None) -> None:
    """Run a Celery worker in this process (threads: each scan has its own process anyway)."""
    configure(broker)
    app.worker_main(
        [
            "worker",
            f"--concurrency={concurrency}",
            "--pool=threads",
            "--loglevel=INFO",
            f"--hostname={name or 'b2cect@' + socket.gethostname()}",
        ]
    )


def celery_crontab(expression: str) -> Any:
    """Celery's crontab for a standard 5-field cron expression (minute hour day month weekday;
    Celery's own argument order differs)."""
    from celery.schedules import crontab

    minute, hour, day, month, weekday = expression.split()
    return crontab(
        minute=minute, hour=hour, day_of_month=day, month_of_year=month, day_of_week=weekday
    )


def start_beat(fleet: SellersFile, broker: str, schedule_file: Path) -> None:
    """Celery beat: queue each scheduled seller's scan by its cron expression."""
    configure(broker)
    app.conf.beat_schedule = {
        f"scan-{s.id}": {
            "task": "b2cect.fleet.scan_seller",
            "schedule": celery_crontab(s.schedule),
            "args": [task_message(fleet, i, None)],
        }
        for i, s in enumerate(fleet.sellers)
        if s.schedule
    }
    app.Beat(schedule=str(schedule_file), loglevel="INFO").run()
