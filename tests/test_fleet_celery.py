"""The fleet over Celery: a real Redis broker, a real PostgreSQL history, two `b2cect worker`
processes scanning demo-store sellers, then the history checked."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from b2cect.demo import DEMO_PASSWORD, DEMO_USER, DemoStore
from b2cect.fleet import db
from b2cect.fleet.sellers import load_sellers

from tests.hostile_store import HostileStore
from tests.servers import postgres_server, redis_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def broker() -> str:
    with redis_server() as url:
        yield url


@pytest.fixture(scope="module")
def history_db() -> str:
    with postgres_server() as url:
        yield url


def start_worker(name: str, broker: str, history_db: str, tmp: Path) -> subprocess.Popen:
    env = {**os.environ, "FLEETDEMO_USER": DEMO_USER, "FLEETDEMO_PASSWORD": DEMO_PASSWORD}
    log = (tmp / f"{name}.log").open("wb")
    cmd = [
        sys.executable,
        "-m",
        "b2cect.cli",
        "worker",
        "--broker",
        broker,
        "--db",
        history_db,
        "--out",
        str(tmp / name),
        "--store",
        str(tmp / "shared"),
        "--concurrency",
        "1",
        "--name",
        f"{name}@test",
    ]
    return subprocess.Popen(
        cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def test_two_workers_scan_a_fleet_into_postgres(broker, history_db, tmp_path):
    from b2cect.fleet.distributed import submit_fleet

    stores = [DemoStore("compliant").start(), DemoStore("noncompliant").start()]
    broken = HostileStore("server_errors").start()
    workers = [start_worker(n, broker, history_db, tmp_path) for n in ("w1", "w2")]
    try:
        sellers = [
            {"id": f"demo-{s.seller}", "name": s.seller, "url": s.url, "login_env": "FLEETDEMO"}
            for s in stores
        ] + [{"id": "broken", "name": "Broken", "url": broken.url}]
        path = tmp_path / "sellers.yaml"
        path.write_text(
            yaml.safe_dump(
                {
                    "fleet": {"store_budget_s": 240, "step_timeout_s": 5, "max_products": 1},
                    "sellers": sellers,
                }
            )
        )
        fleet = load_sellers(path)
        run_id, outcomes = submit_fleet(fleet, broker, db.db_url(history_db))
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            try:
                w.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(w.pid, 9)
        for s in stores:
            s.stop()
        broken.stop()

    assert {o["seller"]: o["status"] for o in outcomes} == {
        "demo-compliant": "ok",
        "demo-noncompliant": "ok",
        "broken": "error",
    }
    engine = db.open_db(history_db)
    assert engine.dialect.name == "postgresql"
    with engine.connect() as conn:
        run = conn.execute(sa.select(db.runs).where(db.runs.c.id == run_id)).one()
        scans = {
            r.seller_id: r
            for r in conn.execute(sa.select(db.scans).where(db.scans.c.run_id == run_id))
        }
        n_verdicts = dict(
            conn.execute(
                sa.select(db.verdicts.c.scan_id, sa.func.count()).group_by(db.verdicts.c.scan_id)
            ).all()
        )
    assert (run.status, run.mode) == ("finished", "celery")
    assert set(scans) == {s["id"] for s in sellers}
    assert {s.worker for s in scans.values()} == {"w1@test", "w2@test"}  # both workers scanned
    good, bad = scans["demo-compliant"], scans["demo-noncompliant"]
    assert good.score > bad.score  # the noncompliant seller breaks many items
    assert "HTTP 500" in scans["broken"].error
    for scan in (good, bad):
        assert (
            n_verdicts[scan.id]
            == scan.n_pass
            + scan.n_fail
            + scan.n_needs_review
            + scan.n_not_applicable
            + scan.n_error
        )
        # The scan folder went to the shared store, sealed as recorded.
        assert Path(scan.out_dir).is_relative_to(tmp_path / "shared")
        manifest = Path(scan.bundle_path) / "manifest.json"
        assert hashlib.sha256(manifest.read_bytes()).hexdigest() == scan.bundle_sha256
    engine.dispose()


def test_a_seller_is_never_scanned_twice_at_once(broker, history_db):
    """While one scan of a seller holds its lock, another task for it is skipped."""
    from b2cect.fleet import distributed

    distributed.configure(broker)
    seller = {"id": "busy", "name": "Busy", "url": "http://127.0.0.1:9/", "tags": []}
    lock = distributed.seller_lock(seller, 60)
    assert lock.acquire(blocking=False)
    os.environ["B2CECT_DB"] = db.db_url(history_db)
    try:
        outcome = distributed.scan_seller.run(
            {
                "run_id": None,
                "seller": seller,
                "user_agent": "b2cect-test",
                "settings": {"store_budget_s": 60},
            }
        )
    finally:
        lock.release()
        os.environ.pop("B2CECT_DB", None)
    assert outcome == {"seller": "busy", "status": "skipped", "error": "already being scanned"}
