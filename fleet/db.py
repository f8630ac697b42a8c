"""The fleet history: runs, sellers, scans and each scan's verdicts (docs/fleet.md).

SQLAlchemy Core on a SQLite file by default, PostgreSQL by URL. The schema is created and
upgraded by the Alembic migrations in migrations/ (`open_db` runs them), never by create_all,
so a team database and a laptop file always have the same tables.

A scan is written in one transaction together with its verdicts, when it has finished: a fleet
killed midway leaves finished scans complete and unfinished ones absent, never half-written.
"""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

metadata = sa.MetaData()

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("fleet_key", sa.String(64), nullable=False, index=True),
    sa.Column("sellers_file", sa.Text, nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("status", sa.String(16), nullable=False),  # running, finished
    sa.Column("mode", sa.String(16), nullable=False),  # local, celery, schedule
    sa.Column("obey_robots", sa.Boolean, nullable=False),
    sa.Column("settings", sa.JSON, nullable=False),
)

sellers = sa.Table(
    "sellers",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

scans = sa.Table(
    "scans",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("seller_id", sa.String(64), sa.ForeignKey("sellers.id"), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),  # ok, error
    sa.Column("error", sa.Text, nullable=False, default=""),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("out_dir", sa.Text, nullable=False),
    sa.Column("bundle_path", sa.Text),
    sa.Column("bundle_sha256", sa.String(64)),
    sa.Column("score", sa.Float),  # decided Annex B points (objective + rated experience)
    sa.Column("final_score", sa.Float),  # total x E, once every item is decided
    sa.Column("n_pass", sa.Integer, nullable=False, default=0),
    sa.Column("n_fail", sa.Integer, nullable=False, default=0),
    sa.Column("n_needs_review", sa.Integer, nullable=False, default=0),
    sa.Column("n_not_applicable", sa.Integer, nullable=False, default=0),
    sa.Column("n_error", sa.Integer, nullable=False, default=0),
    sa.Column("objective_failures", sa.JSON, nullable=False),  # clause ids
    sa.Column("obey_robots", sa.Boolean, nullable=False),
    sa.Column("worker", sa.String(200), nullable=False),  # host (and Celery worker) that scanned
    sa.UniqueConstraint("run_id", "seller_id", name="uq_scans_run_seller"),
)

verdicts = sa.Table(
    "verdicts",
    metadata,
    sa.Column(
        "scan_id", sa.Integer, sa.ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("clause_id", sa.String(16), primary_key=True),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)

MIGRATIONS = Path(__file__).with_name("migrations")
DEFAULT_DB = "b2cect-fleet.sqlite"


def now() -> datetime:
    return datetime.now(UTC)


def db_url(value: str | Path | None) -> str:
    """A database URL from --db: a URL as given, a file path as SQLite."""
    value = str(value or DEFAULT_DB)
    if "://" in value:
        if value.startswith("postgresql://"):  # the driver installed with the fleet extra
            value = "postgresql+psycopg://" + value[len("postgresql://") :]
        return value
    return f"sqlite:///{Path(value).resolve()}"


def migrate(url: str) -> None:
    """Bring the database to the newest schema (Alembic `upgrade head`)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = url
    try:
        command.upgrade(cfg, "head")
    except Exception:  # noqa: BLE001
        # Another worker migrating the same database at the same moment: its transaction
        # wins; once it is done, there is nothing (or only the rest) left to do.
        time.sleep(2)
        command.upgrade(cfg, "head")


def open_db(value: str | Path | None) -> Engine:
    """An engine on an up-to-date history database (migrated on first use)."""
    url = db_url(value)
    migrate(url)
    engine = sa.create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        # Several threads (and a worker process) write one file: wait for the lock rather
        # than fail at once.
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout = 30000")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


# --- writing --------------------------------------------------------------------------------
def start_run(
    engine: Engine,
    fleet_key: str,
    sellers_file: str,
    settings: dict[str, Any],
    mode: str = "local",
    resume: bool = True,
) -> tuple[int, bool]:
    """The run to record scans in: the newest unfinished run of this fleet when resuming, else
    a new one. Returns (run id, resumed)."""
    with engine.begin() as conn:
        if resume:
            row = conn.execute(
                sa.select(runs.c.id)
                .where(runs.c.fleet_key == fleet_key, runs.c.status == "running")
                .order_by(runs.c.id.desc())
                .limit(1)
            ).first()
            if row:
                return row.id, True
        run_id = conn.execute(
            runs.insert().values(
                fleet_key=fleet_key,
                sellers_file=sellers_file,
                started_at=now(),
                status="running",
                mode=mode,
                obey_robots=bool(settings.get("obey_robots", True)),
                settings=settings,
            )
        ).inserted_primary_key[0]
    return int(run_id), False


def finish_run(engine: Engine, run_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            runs.update().where(runs.c.id == run_id).values(status="finished", finished_at=now())
        )


def done_sellers(engine: Engine, run_id: int) -> set[str]:
    """Sellers whose scan this run has already recorded."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(scans.c.seller_id).where(scans.c.run_id == run_id))
        return {r.seller_id for r in rows}


def upsert_seller(conn: sa.Connection, seller: dict[str, Any]) -> None:
    values = {
        "name": seller["name"],
        "url": seller["url"],
        "tags": list(seller.get("tags") or []),
        "updated_at": now(),
    }
    updated = conn.execute(sellers.update().where(sellers.c.id == seller["id"]).values(**values))
    if updated.rowcount == 0:
        conn.execute(sellers.insert().values(id=seller["id"], **values))


def record_scan(
    engine: Engine, run_id: int, seller: dict[str, Any], outcome: dict[str, Any]
) -> int:
    """Write one finished scan and all its verdicts in a single transaction; returns its id.

    A scan already recorded for this run and seller (a task delivered twice) is kept as it is.
    """
    counts = outcome.get("counts") or {}
    with engine.begin() as conn:
        upsert_seller(conn, seller)
        existing = conn.execute(
            sa.select(scans.c.id).where(scans.c.run_id == run_id, scans.c.seller_id == seller["id"])
        ).first()
        if existing:
            return int(existing.id)
        scan_id = conn.execute(
            scans.insert().values(
                run_id=run_id,
                seller_id=seller["id"],
                status=outcome["status"],
                error=outcome.get("error") or "",
                started_at=outcome["started_at"],
                finished_at=outcome["finished_at"],
                out_dir=outcome["out_dir"],
                bundle_path=outcome.get("bundle_path"),
                bundle_sha256=outcome.get("bundle_sha256"),
                score=outcome.get("score"),
                final_score=outcome.get("final_score"),
                n_pass=counts.get("pass", 0),
                n_fail=counts.get("fail", 0),
                n_needs_review=counts.get("needs_review", 0),
                n_not_applicable=counts.get("not_applicable", 0),
                n_error=counts.get("error", 0),
                objective_failures=list(outcome.get("objective_failures") or []),
                obey_robots=bool(outcome.get("obey_robots", True)),
                worker=outcome.get("worker") or socket.gethostname(),
            )
        ).inserted_primary_key[0]
        rows = [
            {"scan_id": scan_id, "clause_id": v["clause_id"], **_verdict(v)}
            for v in outcome.get("verdicts") or []
        ]
        if rows:
            conn.execute(verdicts.insert(), rows)
    return int(scan_id)


def _verdict(v: dict[str, Any]) -> dict[str, str]:
    return {"outcome": v["outcome"], "reason": v.get("reason") or ""}
