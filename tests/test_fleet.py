"""Fleet scans without a browser: the sellers file, scan folders, politeness, the history."""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from b2cect.crawler.polite import RobotsRules, parse_retry_after, retry_delay
from b2cect.fleet import db
from b2cect.fleet.history import diff_scans, fleet_state, seller_scans
from b2cect.fleet.polite import HostPageSlots, HostRateLimiter
from b2cect.fleet.runner import interleave_hosts
from b2cect.fleet.sellers import Seller, SellersFileError, load_sellers
from b2cect.fleet.storage import LocalFolderStore
from b2cect.fleet.task import scan_folder


# --- the sellers file -----------------------------------------------------------------------
def test_yaml_sellers_file(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("test_store: false\n")
    path = tmp_path / "sellers.yaml"
    path.write_text(
        "fleet:\n  contact: https://audit.example.org/\n  store_budget_s: 300\n"
        "sellers:\n"
        "  - {id: a1, name: 甲店, url: 'https://a.example.cn/', profile: p.yaml,"
        " login_env: A1, tags: [m1, food], schedule: '0 3 * * *'}\n"
        "  - {id: b2, url: 'http://b.example.cn/shop/'}\n",
        encoding="utf-8",
    )
    fleet = load_sellers(path)
    a, b = fleet.sellers
    assert (a.name, a.login_env, a.tags, a.schedule) == ("甲店", "A1", ("m1", "food"), "0 3 * * *")
    assert a.profile == str(tmp_path / "p.yaml")
    assert (b.name, b.login_env, b.profile, b.host) == ("b2", "B2CECT_LOGIN", None, "b.example.cn")
    assert fleet.settings.store_budget_s == 300
    ua = fleet.settings.user_agent()
    assert "b2cect/" in ua and "https://audit.example.org/" in ua


def test_csv_sellers_file(tmp_path: Path) -> None:
    path = tmp_path / "sellers.csv"
    path.write_text(
        "id,name,url,tags\nx,店X,https://x.example/,a;b\ny,,https://y.example/,\n",
        encoding="utf-8",
    )
    x, y = load_sellers(path).sellers
    assert (x.name, x.tags) == ("店X", ("a", "b"))
    assert (y.name, y.tags) == ("y", ())


@pytest.mark.parametrize(
    "rows, message",
    [
        ("  - {id: '../x', url: 'https://a/'}\n", "id"),
        ("  - {id: a, url: 'ftp://a/'}\n", "not an http"),
        ("  - {id: a, url: 'https://a/'}\n  - {id: a, url: 'https://b/'}\n", "twice"),
        ("  - {id: a, url: 'https://a/', colour: red}\n", "unknown field"),
    ],
)
def test_bad_sellers_files_say_why(tmp_path: Path, rows: str, message: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("sellers:\n" + rows)
    with pytest.raises(SellersFileError, match=message):
        load_sellers(path)


def test_scan_folders_never_collide(tmp_path: Path) -> None:
    folders = {scan_folder(tmp_path, "same-seller") for _ in range(20)}
    assert len(folders) == 20
    assert all(f.parent == tmp_path / "same-seller" for f in folders)


def test_sellers_of_one_host_are_spread_out() -> None:
    sellers = [Seller(f"m{i}", "", "https://mall.example/s/{i}") for i in range(3)]
    sellers += [Seller("own", "", "https://own.example/")]
    assert [s.id for s in interleave_hosts(sellers)] == ["m0", "own", "m1", "m2"]


# --- politeness -----------------------------------------------------------------------------
def test_rate_limit_is_per_host_and_shared(tmp_path: Path) -> None:
    one, other = HostRateLimiter(tmp_path, 2.0), HostRateLimiter(tmp_path, 2.0)
    waits = [one.reserve("http://mall.example/a"), other.reserve("http://mall.example/b")]
    waits.append(one.reserve("http://mall.example/c"))
    assert waits[0] == pytest.approx(0, abs=0.05)
    assert waits[1] == pytest.approx(0.5, abs=0.05)
    assert waits[2] == pytest.approx(1.0, abs=0.05)
    assert one.reserve("http://elsewhere.example/") == pytest.approx(0, abs=0.05)


def test_page_slots_cap_a_host(tmp_path: Path) -> None:
    slots = HostPageSlots(tmp_path, per_host=1)
    with slots.hold("http://mall.example/a"):
        with pytest.raises(TimeoutError):
            with slots.hold("http://mall.example/b", poll_s=0.05, timeout_s=0.3):
                pass
        with slots.hold("http://other.example/", timeout_s=0.3) as slot:
            assert slot == 0
    with slots.hold("http://mall.example/b", timeout_s=0.3) as slot:
        assert slot == 0


@dataclass
class FakeResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)


def test_retry_after_is_honoured_and_bounded() -> None:
    assert retry_delay(FakeResponse(200), 0, 20) is None
    assert retry_delay(FakeResponse(404, {"retry-after": "3"}), 0, 20) is None
    assert retry_delay(FakeResponse(429, {"retry-after": "3"}), 0, 20) == 3
    assert retry_delay(FakeResponse(503), 0, 20) == 1
    assert retry_delay(FakeResponse(503), 1, 20) == 2
    assert retry_delay(FakeResponse(429, {"retry-after": "3"}), 2, 20) is None  # gave up
    assert retry_delay(FakeResponse(429, {"retry-after": "3600"}), 0, 20) == 5  # step's share
    in_4s = email.utils.formatdate(time.time() + 4, usegmt=True)
    assert 2.5 < parse_retry_after(in_4s) <= 4
    assert parse_retry_after("soon") is None


def test_robots_rules() -> None:
    rules = RobotsRules(
        "User-agent: *\nDisallow: /cart\n\nUser-agent: b2cect\nDisallow: /private/\n",
        "Mozilla/5.0 (compatible; b2cect/0.1.0; +https://audit.example.org/)",
    )
    assert not rules.allows("https://shop.example/private/x")
    assert rules.allows("https://shop.example/cart")  # our own group replaces the * group
    other = RobotsRules("User-agent: *\nDisallow: /cart\n", "SomeBrowser")
    assert not other.allows("https://shop.example/cart")


# --- the history ----------------------------------------------------------------------------
SELLER = {"id": "s1", "name": "店一", "url": "https://s1.example/", "tags": ["t"]}


def outcome(verdicts: dict[str, str], score: float | None = 50.0, status: str = "ok") -> dict:
    counts = {o: 0 for o in ("pass", "fail", "needs_review", "not_applicable", "error")}
    for v in verdicts.values():
        counts[v] += 1
    return {
        "status": status,
        "started_at": db.now(),
        "finished_at": db.now(),
        "out_dir": "/tmp/x",
        "score": score,
        "counts": counts,
        "objective_failures": [c for c, v in verdicts.items() if v == "fail"],
        "verdicts": [
            {"clause_id": c, "outcome": v, "reason": f"{c} {v}"} for c, v in verdicts.items()
        ],
    }


@pytest.fixture()
def engine(tmp_path: Path):
    engine = db.open_db(tmp_path / "history.sqlite")
    yield engine
    engine.dispose()


def test_history_and_diff(engine) -> None:
    run1, _ = db.start_run(engine, "k", "sellers.yaml", {"obey_robots": True})
    first = db.record_scan(
        engine, run1, SELLER, outcome({"6.1.1": "pass", "6.1.2": "fail", "6.2.1": "pass"}, 60)
    )
    db.finish_run(engine, run1)
    run2, resumed = db.start_run(engine, "k", "sellers.yaml", {"obey_robots": True})
    assert run2 != run1 and not resumed  # the first run was finished: a new one starts
    second = db.record_scan(
        engine,
        run2,
        SELLER,
        outcome({"6.1.1": "needs_review", "6.1.2": "pass", "6.2.1": "fail", "6.3": "pass"}, 55.5),
    )
    rows = seller_scans(engine, "s1")
    assert [r["id"] for r in rows] == [second, first]
    assert (rows[0]["n_pass"], rows[0]["n_fail"], rows[0]["n_needs_review"]) == (2, 1, 1)
    d = diff_scans(engine, first, second)
    assert d.score_delta == -4.5
    assert [(c.clause_id, c.before, c.after) for c in d.changes] == [
        # The order of `b2cect diff`: regressions, worse, better, then items new in the scan.
        ("6.2.1", "pass", "fail"),
        ("6.1.1", "pass", "needs_review"),
        ("6.1.2", "fail", "pass"),
        ("6.3", "absent", "pass"),
    ]
    assert [c.clause_id for c in d.regressions] == ["6.2.1"]
    state = fleet_state(engine)
    assert state[0]["previous_id"] == first
    assert [c.clause_id for c in state[0]["regressions"]] == ["6.2.1"]
    with pytest.raises(LookupError):
        diff_scans(engine, first, 999)


def test_fleet_state_reads_the_history_in_a_fixed_number_of_queries(engine) -> None:
    # Six sellers: each scanned ok, then (the even ones) failed once, then scanned ok again
    # with one regression; the odd ones have a single scan and no previous one.
    expected = {}
    for n in range(6):
        seller = {**SELLER, "id": f"s{n}"}
        run, _ = db.start_run(engine, f"k{n}", "f", {}, resume=False)
        first = db.record_scan(engine, run, seller, outcome({"6.1.1": "pass", "6.1.2": "fail"}))
        if n % 2:
            expected[seller["id"]] = (None, [])
            continue
        run, _ = db.start_run(engine, f"k{n}", "f", {}, resume=False)
        db.record_scan(engine, run, seller, outcome({}, None, status="error"))
        run, _ = db.start_run(engine, f"k{n}", "f", {}, resume=False)
        latest = db.record_scan(engine, run, seller, outcome({"6.1.1": "fail", "6.1.2": "pass"}))
        assert [c.clause_id for c in diff_scans(engine, first, latest).regressions] == ["6.1.1"]
        expected[seller["id"]] = (first, ["6.1.1"])
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    state = fleet_state(engine)
    assert len(statements) <= 3, statements  # not one per seller
    got = {
        row["seller"]["id"]: (row["previous_id"], [c.clause_id for c in row["regressions"]])
        for row in state
    }
    assert got == expected
    reasons = {c.reason_after for row in state for c in row["regressions"]}
    assert reasons == {"6.1.1 fail"}


def test_an_unfinished_run_is_resumed_and_a_scan_is_all_or_nothing(engine) -> None:
    run, resumed = db.start_run(engine, "k", "f", {})
    assert not resumed
    db.record_scan(engine, run, SELLER, outcome({"6.1.1": "pass"}))
    broken = outcome({"6.1.1": "pass"})
    broken["verdicts"].append({"clause_id": "6.1.2"})  # no outcome: the insert fails midway
    with pytest.raises(KeyError):
        db.record_scan(engine, run, {**SELLER, "id": "s2"}, broken)
    again, resumed = db.start_run(engine, "k", "f", {})
    assert (again, resumed) == (run, True)
    assert db.done_sellers(engine, run) == {"s1"}  # no trace of the half-written scan
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(db.verdicts)).scalar() == 1
    # The same scan delivered twice (a retried task) is recorded once.
    db.record_scan(engine, run, SELLER, outcome({"6.1.1": "fail"}))
    assert len(seller_scans(engine, "s1")) == 1
    fresh, resumed = db.start_run(engine, "k", "f", {}, resume=False)  # --rescan
    assert fresh != run and not resumed


def test_local_folder_store(tmp_path: Path) -> None:
    scan = tmp_path / "work" / "s1" / "20260101-000000-abcd"
    (scan / "bundle").mkdir(parents=True)
    (scan / "bundle" / "manifest.json").write_text("{}")
    store = LocalFolderStore(tmp_path / "shared")
    where = store.put(scan, "s1/20260101-000000-abcd")
    assert Path(where, "bundle", "manifest.json").read_text() == "{}"
    assert not scan.exists()
    same = tmp_path / "shared" / "s1" / "20260101-000000-abcd"
    assert store.put(same, "s1/20260101-000000-abcd") == str(same)  # already in place
    with pytest.raises(ValueError):
        store.put(same, "../../escape")


# --- schedules ------------------------------------------------------------------------------
def test_schedule_has_one_non_overlapping_job_per_scheduled_seller(tmp_path: Path) -> None:
    import fcntl
    import os
    from datetime import UTC, datetime

    from b2cect.fleet.schedule import build_scheduler, scan_one

    path = tmp_path / "s.yaml"
    path.write_text(
        "sellers:\n"
        "  - {id: a, url: 'http://127.0.0.1:9/', schedule: '30 2 * * 1'}\n"
        "  - {id: b, url: 'http://127.0.0.1:9/'}\n"
    )
    fleet = load_sellers(path)
    scheduler = build_scheduler(
        fleet, blocking=False, db_url="sqlite://", out_root=tmp_path, state_dir=tmp_path
    )
    (job,) = scheduler.get_jobs()
    assert job.id == "scan-a" and job.max_instances == 1 and job.coalesce
    monday = job.trigger.get_next_fire_time(None, datetime(2026, 3, 1, tzinfo=UTC))
    assert (monday.weekday(), monday.hour, monday.minute) == (0, 2, 30)
    # A scan of `a` still running (its lock held): the next firing does nothing.
    fd = os.open(tmp_path / "scheduled-a.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        assert (
            scan_one(fleet, "a", db_url="sqlite://", out_root=tmp_path, state_dir=tmp_path) is False
        )
    finally:
        os.close(fd)


@pytest.mark.parametrize(
    "expression, start, expected",
    [
        ("0 3 * * 1-5", (2026, 3, 7), (0, 3)),  # from a Saturday: Monday
        ("0 3 * * 0", (2026, 3, 2), (6, 3)),  # Sunday, as cron counts
        ("15 */6 * * *", (2026, 3, 2), (0, 0)),
    ],
)
def test_cron_expressions_mean_what_cron_means(expression, start, expected) -> None:
    from datetime import UTC, datetime

    from b2cect.fleet.distributed import celery_crontab
    from b2cect.fleet.schedule import cron_trigger

    when = datetime(*start, tzinfo=UTC)
    fire = cron_trigger(expression).get_next_fire_time(None, when)
    assert (fire.weekday(), fire.hour) == expected
    # Celery beat reads the same expression the same way.
    beat = celery_crontab(expression)
    assert fire.minute in beat.minute and fire.hour in beat.hour
    assert (fire.isoweekday() % 7) in beat.day_of_week


def test_progress_prints_one_plain_line_per_store_off_a_terminal(capsys) -> None:
    from b2cect.fleet.progress import FleetProgress

    a, b = Seller("a", "A", "http://a.example/"), Seller("b", "B", "http://b.example/")
    with FleetProgress(total=2, force_terminal=False) as progress:
        assert not progress.live
        progress("start", a, None)
        progress("start", b, None)
        progress("done", a, {"status": "ok", "score": 81.0, "counts": {"pass": 70, "fail": 1}})
        progress("done", b, {"status": "error", "error": "killed by the watchdog"})
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("ok") and "score 81.0" in lines[0] and "fail 1" in lines[0]
    assert lines[1].startswith("error") and "killed by the watchdog" in lines[1]
    assert (progress.done, progress.failed, progress.running) == (2, 1, set())
