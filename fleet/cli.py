"""The fleet commands: `b2cect fleet run|schedule|diff|report`, `b2cect history`,
`b2cect worker`. Registered on the main command group by b2cect/cli.py."""

from __future__ import annotations

import sys
from pathlib import Path

import click

DB_HELP = "History database: a SQLite file path or a URL (postgresql://user@host/db)."


def db_option(fn):
    return click.option(
        "--db",
        "db_value",
        default="b2cect-fleet.sqlite",
        show_default=True,
        envvar="B2CECT_DB",
        help=DB_HELP,
    )(fn)


def s3_endpoint_option(fn):
    return click.option(
        "--s3-endpoint",
        default=None,
        envvar="B2CECT_S3_ENDPOINT",
        help="Endpoint URL of an S3-compatible server, for --store s3://bucket/prefix "
        "(credentials: the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables).",
    )(fn)


def use_s3_endpoint(endpoint: str | None) -> None:
    """Scans read the endpoint where they store (task.py, maybe in a Celery worker)."""
    import os

    if endpoint:
        os.environ["B2CECT_S3_ENDPOINT"] = endpoint


def load(path: Path, **overrides):
    from .sellers import SellersFileError, load_sellers

    try:
        fleet = load_sellers(path)
    except (SellersFileError, OSError) as exc:
        raise click.UsageError(str(exc)) from exc
    for name, value in overrides.items():
        if value is not None:
            setattr(fleet.settings, name, value)
    return fleet


@click.group()
def fleet() -> None:
    """Scan many sellers: concurrently, on a schedule, with their history kept."""


@fleet.command("run")
@click.argument("sellers_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default="b2cect-fleet")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=None,
    help="Scans at once (default: from the CPU count and free memory).",
)
@click.option("--rescan", is_flag=True, help="Start a new run: scan every seller again.")
@click.option(
    "--timeout",
    "step_timeout_s",
    type=click.IntRange(3, 300),
    default=None,
    help="Seconds allowed for each journey step.",
)
@click.option(
    "--store-budget",
    "store_budget_s",
    type=click.IntRange(10, 7200),
    default=None,
    help="Seconds allowed for a whole store; the watchdog kills the scan after.",
)
@click.option("--max-products", type=click.IntRange(1, 30), default=None)
@click.option(
    "--ignore-robots",
    is_flag=True,
    help="Do not obey robots.txt (authorised audits only; recorded in the history and the bundle).",
)
@click.option(
    "--store",
    "store",
    default=None,
    help="Where finished scan folders go: a (local or shared) folder, or s3://bucket/prefix "
    "(default: --out).",
)
@s3_endpoint_option
@click.option("--browser", default=None, help="Chromium/Chrome executable.")
@click.option(
    "--browser-mode",
    type=click.Choice(["per-scan", "shared"]),
    default="per-scan",
    show_default=True,
    help="per-scan: a Chromium per scan; shared: one Chromium for the run, a context per scan "
    "(docs/fleet.md compares them).",
)
@click.option(
    "--broker",
    default=None,
    envvar="B2CECT_BROKER",
    help="Queue the scans for Celery workers on this broker (redis://...) instead of "
    "scanning here.",
)
def run_cmd(
    sellers_file,
    db_value,
    out,
    concurrency,
    rescan,
    step_timeout_s,
    store_budget_s,
    max_products,
    ignore_robots,
    store,
    browser,
    s3_endpoint,
    browser_mode,
    broker,
) -> None:
    """Scan every seller of SELLERS_FILE (YAML or CSV); resumes a run that was stopped.

    Exit code: 0 when every store was scanned, 1 when some ended in error.
    """
    use_s3_endpoint(s3_endpoint)
    from . import db
    from .progress import FleetProgress
    from .runner import run_fleet

    fleet_file = load(
        sellers_file,
        step_timeout_s=step_timeout_s,
        store_budget_s=store_budget_s,
        max_products=max_products,
        browser=browser,
        obey_robots=False if ignore_robots else None,
    )
    url = db.db_url(db_value)
    if broker:
        from .distributed import submit_fleet

        run_id, outcomes = submit_fleet(fleet_file, broker, url, rescan=rescan)
        failed = [o for o in outcomes if o.get("status") != "ok"]
        for o in outcomes:
            detail = o.get("score") if o.get("status") == "ok" else o.get("error", "")
            click.echo(f"{o.get('status', 'lost'):<7} {o.get('seller', '?'):<20} {detail}")
        click.echo(f"run {run_id}: {len(outcomes) - len(failed)} scanned, {len(failed)} not")
        sys.exit(1 if failed else 0)
    with FleetProgress(total=len(fleet_file.sellers)) as progress:
        result = run_fleet(
            fleet_file,
            db_url=url,
            out_root=out,
            concurrency=concurrency,
            rescan=rescan,
            store=store,
            progress=progress,
            browser_mode=browser_mode,
        )
    if result.resumed and result.skipped:
        click.echo(f"resumed run {result.run_id}: {len(result.skipped)} store(s) already done")
    click.echo(
        f"run {result.run_id}: {len(result.outcomes) - len(result.failed)} scanned, "
        f"{len(result.failed)} error(s); history in {db_value}"
    )
    sys.exit(1 if result.failed else 0)


@click.command()
@click.argument("seller_id")
@db_option
@click.option("--limit", default=20, show_default=True)
def history(seller_id, db_value, limit) -> None:
    """List a seller's scans, newest first, with score and counts."""
    from . import db
    from .history import seller_scans

    rows = seller_scans(db.open_db(db_value), seller_id, limit)
    if not rows:
        raise click.ClickException(f"no scans of seller {seller_id!r} in {db_value}")
    click.echo(
        f"{'scan':>5}  {'finished (UTC)':<19}  {'status':<6} {'score':>6}  "
        f"{'pass':>4} {'fail':>4} {'rev':>4} {'n/a':>4} {'err':>4}  note"
    )
    for r in rows:
        score = f"{r['score']:.2f}" if r["score"] is not None else "-"
        click.echo(
            f"{r['id']:>5}  {r['finished_at']:%Y-%m-%d %H:%M:%S}  {r['status']:<6} {score:>6}  "
            f"{r['n_pass']:>4} {r['n_fail']:>4} {r['n_needs_review']:>4} "
            f"{r['n_not_applicable']:>4} {r['n_error']:>4}  {r['error'][:60]}"
        )


@fleet.command("diff")
@click.argument("scan_a", type=int)
@click.argument("scan_b", type=int)
@db_option
def diff_cmd(scan_a, scan_b, db_value) -> None:
    """Verdict changes from SCAN_A to SCAN_B (ids from `b2cect history`), regressions first."""
    from . import db
    from .history import diff_scans

    try:
        d = diff_scans(db.open_db(db_value), scan_a, scan_b)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from exc
    delta = "-" if d.score_delta is None else f"{d.score_delta:+.2f}"
    click.echo(
        f"seller {d.seller_a} scan {scan_a} -> seller {d.seller_b} scan {scan_b}: "
        f"score {d.score_a} -> {d.score_b} ({delta})"
    )
    if not d.changes:
        click.echo("no verdict changed")
    for c in d.changes:
        colour = "red" if c.regression else ("green" if c.improvement else "yellow")
        click.secho(f"  {c.clause_id:<10} {c.before:<15} -> {c.after:<15}", fg=colour, nl=False)
        click.echo(f"  {c.reason_after[:100]}")


@click.command()
@click.option(
    "--broker",
    envvar="B2CECT_BROKER",
    default="redis://127.0.0.1:6379/0",
    show_default=True,
    help="Celery broker URL (Redis).",
)
@db_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default="b2cect-fleet",
    show_default=True,
    help="Where this worker writes scan folders.",
)
@click.option(
    "--store", default=None, help="Shared folder or s3://bucket/prefix for finished scan folders."
)
@s3_endpoint_option
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=None,
    help="Scans at once on this worker (default: from CPU count and memory).",
)
@click.option("--name", default=None, help="Worker name (default: b2cect@<host>).")
def worker(broker, db_value, out, store, s3_endpoint, concurrency, name) -> None:
    """Take scan tasks from the broker and record them in the (shared) history."""
    import os

    use_s3_endpoint(s3_endpoint)
    from . import db
    from .distributed import start_worker
    from .runner import default_concurrency

    os.environ["B2CECT_DB"] = db.db_url(db_value)
    os.environ["B2CECT_WORKER_OUT"] = str(out)
    if store:
        os.environ["B2CECT_STORE"] = str(store)
    db.open_db(db_value).dispose()  # migrate once, before tasks arrive
    start_worker(broker, concurrency or default_concurrency(), name)


@fleet.command("schedule")
@click.argument("sellers_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default="b2cect-fleet")
@click.option(
    "--store", default=None, help="Folder or s3://bucket/prefix where finished scan folders go."
)
@s3_endpoint_option
@click.option(
    "--broker",
    default=None,
    envvar="B2CECT_BROKER",
    help="Run Celery beat on this broker: workers do the scans.",
)
def schedule_cmd(sellers_file, db_value, out, store, s3_endpoint, broker) -> None:
    """Keep running; start each seller's scan by its `schedule` (cron, UTC)."""
    import tempfile

    use_s3_endpoint(s3_endpoint)
    from . import db

    fleet_file = load(sellers_file)
    planned = [s for s in fleet_file.sellers if s.schedule]
    if not planned:
        raise click.UsageError("no seller in the file has a `schedule`")
    for s in planned:
        click.echo(f"{s.id:<20} {s.schedule}")
    if broker:
        from .distributed import start_beat

        Path(out).mkdir(parents=True, exist_ok=True)
        start_beat(fleet_file, broker, Path(out) / "celerybeat-schedule")
        return
    from .schedule import build_scheduler

    scheduler = build_scheduler(
        fleet_file,
        db_url=db.db_url(db_value),
        out_root=Path(out),
        state_dir=Path(tempfile.gettempdir()) / "b2cect-fleet-state",
        store=store,
    )
    click.echo("scheduler running (Ctrl+C stops it)")
    try:
        scheduler.start()
    except KeyboardInterrupt:
        pass


@fleet.command("report")
@db_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default="b2cect-fleet")
def report_cmd(db_value, out) -> None:
    """Write the fleet report (HTML, XLSX): one row per seller, with trend plots."""
    from . import db
    from .report import write_fleet_report

    paths = write_fleet_report(db.open_db(db_value), out)
    for kind, path in paths.items():
        click.echo(f"{kind}: {path}")
