"""The `b2cect` command: scan, discover, check, audit, diff, ratings-template, clauses, demo.

Exit codes (the same in every command that judges; README "Exit codes"): 0 no objective item
fails, 1 some fail (or the score is under --fail-under), 2 could not run (bad URL, unreachable
store, bad input file or bundle), 3 the bundle failed its SHA-256 integrity check.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import click

from b2cect import pipeline
from b2cect.checks import registry
from b2cect.checks.verdict import Outcome, Verdict
from b2cect.events import LOG_FORMATS, EventLog

OUTCOME_COLOURS = {
    "pass": "green",
    "fail": "red",
    "needs_review": "yellow",
    "not_applicable": "bright_black",
    "error": "magenta",
}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="b2cect")
def main() -> None:
    """Check an online store against LB/T 10001-2015, Chapter 6, and score it by Annex B."""


# --- options shared by the commands that judge -----------------------------------------------
def scoring_options(fn):
    fn = click.option(
        "--maturity",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Auditor's Annex A maturity levels (YAML/CSV).",
    )(fn)
    fn = click.option(
        "--ratings",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Auditor's ratings: Likert level or alpha per item, vetoes E1-E4.",
    )(fn)
    fn = click.option(
        "--points",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Point table replacing the default one (id,points; sum 100).",
    )(fn)
    return fn


def report_options(fn):
    fn = click.option(
        "--pdf",
        "pdf",
        is_flag=True,
        help="Also print the evidence pack report.pdf (Chromium's print to PDF).",
    )(fn)
    fn = click.option(
        "--lang",
        type=click.Choice(["both", "zh", "en"]),
        default="both",
        show_default=True,
        help="Language of the HTML report, PDF and workbook (report.json carries both).",
    )(fn)
    return fn


def run_options(fn):
    """How a judging command reports to a pipeline: JSON events, a score threshold."""
    fn = click.option(
        "--log-format",
        type=click.Choice(LOG_FORMATS),
        default="text",
        show_default=True,
        help="json: one timestamped JSON event per step and per outcome on stderr.",
    )(fn)
    fn = click.option(
        "--fail-under",
        type=click.FloatRange(0, 100),
        default=None,
        metavar="SCORE",
        help="Exit 1 when the final score is below SCORE (while it is undecided: the points "
        "already earned).",
    )(fn)
    return fn


def out_option(fn):
    return click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        help="Output folder: bundle/ (when scanning) and report/ go in it; it must not hold "
        "a previous run's (default: a new timestamped folder).",
    )(fn)


def claim_or_new(out: Path | None, bundle_dir: Path) -> Path:
    return pipeline.claim_out_dir(out, "report") if out else pipeline.audit_out_dir(bundle_dir)


def event_log(fmt: str = "text") -> EventLog:
    """The command's event log, kept on the click context so every message can reach it."""
    log = EventLog(fmt)
    click.get_current_context().meta["b2cect.events"] = log
    return log


def say_problem(message: str) -> None:
    """One line on stderr: plain text, or an "error" event when the log format is json (so
    stderr stays one JSON object per line)."""
    ctx = click.get_current_context(silent=True)
    log = ctx.meta.get("b2cect.events") if ctx else None
    if log is not None and log.json:
        log.emit("error", message=message)
    else:
        click.secho(f"b2cect: {message}", fg="red", err=True)


def fail(message: str, code: int = pipeline.EXIT_NO_SCAN) -> NoReturn:
    """One line on stderr, then exit: for inputs the command cannot use."""
    say_problem(message)
    sys.exit(code)


@contextlib.contextmanager
def plain_input_errors() -> Iterator[None]:
    try:
        yield
    except pipeline.InputError as exc:
        fail(str(exc))


def crawl_options(fn):
    fn = click.option(
        "--browser",
        "browser",
        type=click.Path(path_type=Path),
        default=None,
        help="Chromium/Chrome executable (default: found automatically; env B2CECT_BROWSER).",
    )(fn)
    fn = click.option(
        "--max-products",
        type=click.IntRange(1, 30),
        default=6,
        show_default=True,
        help="Product pages to visit.",
    )(fn)
    fn = click.option(
        "--timeout",
        "step_timeout",
        type=click.IntRange(3, 300),
        default=20,
        show_default=True,
        help="Seconds allowed for each journey step.",
    )(fn)
    fn = click.option(
        "--place-order",
        is_flag=True,
        help="Place (and fake-pay) an order; only on a store the profile marks as test_store.",
    )(fn)
    fn = click.option(
        "--login-env",
        default="B2CECT_LOGIN",
        show_default=True,
        help="Credentials come from $PREFIX_USER and $PREFIX_PASSWORD.",
    )(fn)
    fn = click.option(
        "--profile",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Site profile YAML pinning URLs/selectors (docs/site-profile.md).",
    )(fn)
    fn = click.option(
        "--demo",
        "demo",
        default=None,
        metavar="SELLER",
        help="Scan a demo seller instead of a URL (compliant, noncompliant).",
    )(fn)
    return fn


@main.command()
@click.argument("url", required=False)
@crawl_options
@scoring_options
@report_options
@out_option
@run_options
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary.")
def scan(
    url, points, ratings, maturity, lang, pdf, out, quiet, fail_under, log_format, **crawl
) -> None:
    """Scan a store (the demo store when no URL is given), judge it and write a report.

    Exit code: 0 no objective item fails, 1 some fail, 2 the scan could not run, 3 the
    bundle failed its integrity check.
    """
    events = event_log(log_format)
    with plain_input_errors():
        inputs = pipeline.load_scoring_inputs(points, ratings, maturity)
        check_crawl_inputs(url, crawl)
        out_dir = pipeline.claim_out_dir(out, "bundle", "report") if out else None
    with gathered(url, out_dir, quiet, events=events, **crawl) as (out_dir, bundle_dir):
        with plain_input_errors():
            result = pipeline.audit(bundle_dir, inputs=inputs)
        finish(result, out_dir / "report", inputs, events, fail_under, lang, pdf)


@main.command()
@click.argument("clause_id")
@click.argument("url", required=False)
@click.option(
    "--bundle",
    "bundle_dir",
    type=click.Path(path_type=Path),
    help="Judge a saved bundle instead of scanning.",
)
@crawl_options
@out_option
@click.option("--log-format", type=click.Choice(LOG_FORMATS), default="text", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the verdicts as JSON.")
def check(clause_id, url, bundle_dir, out, log_format, as_json, **crawl) -> None:
    """Judge one item (e.g. 6.1.3.a) or a section (e.g. 6.5.4) and print the evidence.

    With a URL (or --demo), only the journey steps the items need are run.
    """
    from b2cect.plan import parts_for, product_pages_for

    events = event_log(log_format)
    try:
        items = registry.select([clause_id])
    except KeyError as exc:
        raise click.BadParameter(exc.args[0], param_hint="CLAUSE_ID") from None
    with plain_input_errors():
        if bundle_dir is None:
            check_crawl_inputs(url, crawl)
            out_dir = pipeline.claim_out_dir(out, "bundle") if out else None
            parts = parts_for(items)
            crawl["max_products"] = product_pages_for(items, crawl["max_products"])
            if not as_json:
                click.echo(f"Journey for {clause_id}: {', '.join(parts)}")
            with gathered(url, out_dir, as_json, events=events, parts=parts, **crawl) as (
                _,
                bundle_dir,
            ):
                result = pipeline.audit(bundle_dir, [clause_id])
        else:
            result = pipeline.audit(bundle_dir, [clause_id])
    events.outcomes(result.verdicts, result.final_outcomes())
    if as_json:
        click.echo(json.dumps([v.to_dict() for v in result.verdicts], ensure_ascii=False, indent=1))
    else:
        click.echo(f"Bundle: {result.bundle.root.resolve()}")
        for verdict in result.verdicts:
            print_verdict(verdict, result.bundle.root)
        print_missing(result, items, crawl.get("login_env") or "B2CECT_LOGIN")
    sys.exit(exit_code(result))


@main.command()
@click.argument("bundle_dir", type=click.Path(path_type=Path))
@scoring_options
@report_options
@out_option
@run_options
@click.option(
    "--expect-sha256",
    metavar="HASH",
    default=None,
    help="The manifest SHA-256 filed with the report: exit 3 when the bundle's differs.",
)
def audit(
    bundle_dir, points, ratings, maturity, lang, pdf, out, fail_under, log_format, expect_sha256
):
    """Re-judge a saved bundle offline (no browser, no network) and write a report."""
    events = event_log(log_format)
    with plain_input_errors():
        inputs = pipeline.load_scoring_inputs(points, ratings, maturity)
        bundle = pipeline.open_bundle(bundle_dir)
    digest = bundle.manifest_sha256()
    events.emit("start", command="audit", bundle=str(bundle.root.resolve()), manifest_sha256=digest)
    if expect_sha256 is not None and expect_sha256.strip().lower() != digest:
        fail(
            f"the manifest's SHA-256 is {digest}, not the expected {expect_sha256.strip()}: "
            "this is not the bundle that was filed",
            pipeline.EXIT_INTEGRITY,
        )
    with plain_input_errors():
        out_dir = claim_or_new(out, bundle.root)
        result = pipeline.audit(bundle, inputs=inputs)
    finish(result, out_dir / "report", inputs, events, fail_under, lang, pdf)


@main.command("ratings-template")
@click.argument("bundle_dir", type=click.Path(path_type=Path))
def ratings_template(bundle_dir) -> None:
    """Print a ratings CSV for the auditor to fill in: experience items, items left to review,
    E1-E4, M1-M5 and Annex A rows, each with the machine's hint (docs/auditor-files.md).

    Example: b2cect ratings-template BUNDLE > ratings.csv
    """
    from b2cect.reports.ratings_template import ratings_template as template

    with plain_input_errors():
        result = pipeline.audit(pipeline.open_bundle(bundle_dir))
    store = result.bundle.store
    name = store.get("name") or store.get("url") or ""
    click.echo(template(result.verdicts, result.score, name, str(bundle_dir)), nl=False)


@main.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
def diff(old, new, as_json) -> None:
    """Compare two runs (each a report.json, a report folder or a bundle): the verdicts that
    changed, regressions first, and the score delta. Exit 1 when an item fails now that did
    not before, 0 otherwise, 2 when an input cannot be read."""
    from dataclasses import asdict

    from b2cect.diff import compare, load_judgement

    loaded = []
    for path in (old, new):
        try:
            loaded.append(load_judgement(path))
        except pipeline.InputError as exc:
            fail(str(exc))
        except (OSError, ValueError, KeyError) as exc:
            fail(f"{path}: not a report.json or a bundle ({pipeline.one_line(str(exc))})")
    (old_outcomes, old_score), (new_outcomes, new_score) = loaded
    result = compare(old_outcomes, new_outcomes, old_score, new_score)
    if as_json:
        data = {
            "changes": [asdict(c) for c in result.changes],
            "old_score": asdict(result.old_score),
            "new_score": asdict(result.new_score),
            "objective_delta": result.delta("objective"),
            "final_delta": result.delta("final"),
            "regressions": len(result.regressions),
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        print_comparison(result)
    sys.exit(pipeline.EXIT_FAILURES if result.regressions else pipeline.EXIT_OK)


@main.command()
@click.option("--section", default=None, help="Only this section or item prefix, e.g. 6.2.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
def clauses(section, fmt) -> None:
    """List the catalogue of Chapter 6 items."""
    items = registry.select([section] if section else None)
    if fmt == "json":
        rows = [dict(vars(i), requires=list(i.requires)) for i in items]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    elif fmt == "csv":
        click.echo(registry.CATALOGUE.read_text(encoding="utf-8").splitlines()[0])
        keep = {i.id for i in items}
        for line in registry.CATALOGUE.read_text(encoding="utf-8").splitlines()[1:]:
            if line.split(",", 1)[0] in keep:
                click.echo(line)
    else:
        for i in items:
            kind = f"{i.stage}/{i.evidence}/{i.scoring}"
            click.echo(f"{i.id:<10} {kind:<34} {i.title_zh}")
            click.echo(f"{'':<10} {'':<34} {i.title_en}")


@main.command()
@click.argument("url")
@click.option(
    "--profile",
    type=click.Path(dir_okay=False, path_type=Path),
    help="An existing site profile to start from (its pins win over discovery).",
)
@click.option(
    "--login-env",
    default="B2CECT_LOGIN",
    show_default=True,
    help="Log in only when $PREFIX_USER and $PREFIX_PASSWORD are set.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("b2cect-profile.yaml"),
    show_default=True,
    help="Where the draft site profile goes.",
)
@click.option(
    "--browser",
    type=click.Path(path_type=Path),
    default=None,
    help="Chromium/Chrome executable (default: found automatically; env B2CECT_BROWSER).",
)
@click.option(
    "--timeout",
    "step_timeout",
    type=click.IntRange(3, 300),
    default=20,
    show_default=True,
    help="Seconds allowed for each page.",
)
def discover(url, profile, login_env, out, browser, step_timeout) -> None:
    """Find a store's pages (no order, no form sent) and draft a site profile for `scan`.

    Prints the reach table (the same rows a scan writes into its manifest) and writes a
    profile YAML pinning the URLs found. Exit code: 0 done, 2 the store could not be opened.
    """
    from b2cect.crawler.browser import BrowserNotFound
    from b2cect.crawler.discover import discover_sync, draft_profile
    from b2cect.crawler.profile import ProfileError
    from b2cect.crawler.scan import ScanOptions

    click.echo(f"Discovering {url} ...")
    try:
        result = discover_sync(
            ScanOptions(
                url=url,
                out=out.parent,
                profile=profile,
                login_env=login_env,
                step_timeout_s=step_timeout,
                browser=browser,
            )
        )
    except (BrowserNotFound, ProfileError) as exc:
        click.secho(f"b2cect: {exc}", fg="red", err=True)
        sys.exit(pipeline.EXIT_NO_SCAN)
    print_reach(result)
    out.write_text(draft_profile(result, " ".join(["b2cect", *sys.argv[1:]])), encoding="utf-8")
    click.echo(f"\nDraft profile: {out}  (edit it, then: b2cect scan {url} --profile {out})")
    home = next((r for r in result.rows if r["kind"] == "home"), None)
    if home is None or home["status"] != "ok":
        reason = home["note"] if home else "no home step"
        click.secho(f"b2cect: the store could not be opened: {reason}", fg="red", err=True)
        sys.exit(pipeline.EXIT_NO_SCAN)


@main.command()
@click.option("--seller", default=None, help="Demo seller (default: the compliant one).")
@click.option("--port", default=8000, show_default=True, type=int)
def demo(seller, port) -> None:
    """Serve the demo storefront on loopback for browsing by hand."""
    from b2cect.demo import SELLERS, DemoStore

    store = DemoStore(seller or SELLERS[0], port=port)
    store.start()
    click.echo(f"Demo store '{store.seller}' at {store.url} (Ctrl+C stops it)")
    try:
        store.wait()
    except KeyboardInterrupt:
        store.stop()


# --- gathering ------------------------------------------------------------------------------
def check_crawl_inputs(url: str | None, crawl: dict) -> None:
    """Everything a crawl is given, checked before a browser starts (InputError otherwise)."""
    from b2cect.crawler.profile import ProfileError, load_profile

    if url and crawl.get("demo"):
        raise click.UsageError("give a URL or --demo, not both")
    if url:
        pipeline.check_url(url)
    elif crawl.get("demo"):
        from b2cect.demo import SELLERS

        if crawl["demo"] not in SELLERS:
            raise click.BadParameter(f"choose one of {', '.join(SELLERS)}", param_hint="--demo")
    if crawl.get("profile"):
        try:
            load_profile(crawl["profile"])
        except (ProfileError, OSError) as exc:
            raise pipeline.InputError(pipeline.one_line(str(exc))) from None


@contextlib.contextmanager
def gathered(
    url: str | None,
    out: Path | None,
    quiet: bool,
    *,
    demo: str | None,
    profile: Path | None,
    login_env: str,
    place_order: bool,
    step_timeout: int,
    max_products: int,
    browser: Path | None,
    events: EventLog | None = None,
    parts: list[str] | None = None,
) -> Iterator[tuple[Path, Path]]:
    """Run the crawler (starting the demo store when asked) and yield (out_dir, bundle_dir).

    `parts`: only these journey parts (crawler/scan.py JOURNEY); all when None."""
    from b2cect.crawler.browser import BrowserNotFound
    from b2cect.crawler.scan import ScanOptions, scan_sync

    events = events or EventLog()
    if events.json:
        progress = events.step
    else:
        progress = None if quiet else print_step
    with contextlib.ExitStack() as stack:
        options = dict(
            profile=profile,
            login_env=login_env,
            step_timeout_s=step_timeout,
            max_products=max_products,
            browser=browser,
            progress=progress,
            parts=tuple(parts) if parts is not None else None,
        )
        if not url:
            from b2cect.demo import DEMO_PASSWORD, DEMO_USER, SELLERS, DemoStore

            seller = demo or SELLERS[0]
            store = stack.enter_context(DemoStore(seller))
            url = store.url
            options.update(
                demo=seller,
                credentials=(DEMO_USER, DEMO_PASSWORD),
                is_test_store=True,
                place_order=True,
            )
        else:
            options.update(place_order=place_order)
        out_dir = out or pipeline.default_out_dir(url)
        if not quiet:
            click.echo(f"Scanning {url} -> {out_dir.resolve()}")
        events.emit("start", url=url, out=str(out_dir.resolve()), parts=parts)
        try:
            bundle_dir = scan_sync(ScanOptions(url=url, out=out_dir / "bundle", **options))
        except BrowserNotFound as exc:
            fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - no traceback for a scan that could not run
            fail(f"the scan could not run: {pipeline.one_line(str(exc)) or type(exc).__name__}")
        yield out_dir, bundle_dir


def exit_code(result: pipeline.AuditResult, fail_under: float | None = None) -> int:
    """The command's exit code from the final outcomes, saying why on stderr when not 0/1."""
    code = result.exit_code()
    if code == pipeline.EXIT_INTEGRITY:
        say_problem(f"the bundle failed its integrity check ({len(result.integrity)} problem(s))")
    elif code == pipeline.EXIT_NO_SCAN:
        reason = result.could_not_run() or "the store could not be reached"
        say_problem(f"the store could not be scanned: {reason}")
    elif code == pipeline.EXIT_OK and fail_under is not None:
        value, what = pipeline.threshold_score(result.score)
        if value < fail_under:
            say_problem(f"{what} {value:.2f} is under --fail-under {fail_under:g}")
            code = pipeline.EXIT_FAILURES
    return code


def finish(
    result: pipeline.AuditResult,
    report_dir: Path,
    inputs: pipeline.ScoringInputs,
    events: EventLog,
    fail_under: float | None,
    lang: str = "both",
    pdf: bool = False,
) -> NoReturn:
    """Write the reports, print the summary, exit with the run's code."""
    paths = write_reports(report_dir, result, inputs, lang, pdf)
    events.outcomes(result.verdicts, result.final_outcomes())
    print_summary(result, paths)
    code = exit_code(result, fail_under)
    events.emit(
        "end",
        exit_code=code,
        counts=result.counts(),
        final_score=result.score.final,
        report=str(paths.get("json", "")),
    )
    sys.exit(code)


# --- printing -------------------------------------------------------------------------------
def print_step(step) -> None:
    colour = {"ok": "green", "failed": "red"}.get(step.status, "yellow")
    status = click.style(f"{step.status:<7}", fg=colour)
    where = step.final_url or step.url
    note = f"  ({step.error})" if step.error else ""
    click.echo(f"  {status} {step.id:<20} {step.duration_ms / 1000:5.1f}s  {where}{note}")


def print_reach(result) -> None:
    """The reach table of a discovery run: found pages, then what it could not find."""
    from b2cect.crawler.session import LINK_TARGETS

    tried = [r for r in result.rows if r["step"]]
    click.echo("")
    click.echo(f"  {'kind':<16} {'found':<7} {'conf':>4}  {'url':<48} found by")
    for row in tried:
        ok = row["status"] == "ok"
        mark = click.style(f"{'yes' if ok else 'no':<7}", fg="green" if ok else "yellow")
        url = row["url"] if ok else f"({row['status']}: {row['note']})"
        conf = f"{row['confidence']:.2f}" if ok else ""
        click.echo(f"  {row['kind']:<16} {mark} {conf:>4}  {url:<48} {row['found_by']}")
    missing = [r for r in result.rows if r["kind"] in LINK_TARGETS and r["status"] != "ok"]
    if result.search_box:
        click.echo(f"\n  search box: {result.search_box}")
    if result.popups:
        click.echo("  pop-ups closed: " + ", ".join(f"'{p['text']}'" for p in result.popups))
    if missing:
        click.echo("\nNot found:")
        for row in missing:
            seen = result.seen.get(row["kind"])
            hint = f"; a link was seen: {seen['url']}" if seen else ""
            click.echo(f"  {row['kind']:<16} {row['note'] or row['status']}{hint}")


def write_reports(
    out_dir: Path,
    result: pipeline.AuditResult,
    inputs: pipeline.ScoringInputs | None = None,
    lang: str = "both",
    pdf: bool = False,
) -> dict[str, Path]:
    from b2cect.reports.write import report_context, write_report_files

    run_info = pipeline.report_run_info(result, " ".join(sys.argv[1:]), inputs)
    ctx = report_context(out_dir, result.verdicts, result.bundle, result.score, run_info, lang)
    paths = write_report_files(ctx, out_dir)
    if pdf:
        from b2cect.crawler.browser import BrowserNotFound
        from b2cect.reports.pdf import print_pdf

        try:
            paths["pdf"] = print_pdf(ctx, out_dir)
        except BrowserNotFound as exc:
            say_problem(f"no PDF: {exc}")
    return paths


def print_summary(result: pipeline.AuditResult, paths: dict[str, Path]) -> None:
    store = result.bundle.store
    counts = result.counts()
    score = result.score
    click.echo("")
    click.secho(f"{store.get('name') or store.get('url')}  ({store.get('url')})", bold=True)
    click.echo(
        "  items: "
        + ", ".join(
            click.style(f"{counts[o]} {o.replace('_', ' ')}", fg=OUTCOME_COLOURS[o])
            for o in ("pass", "fail", "needs_review", "not_applicable", "error")
        )
    )
    click.echo(f"  {score.summary_line()}")
    for incident in (result.bundle.manifest.get("run") or {}).get("incidents") or []:
        click.secho(
            f"  THE STORE CREATED AN ORDER during the scan at {incident.get('step')}: "
            f"{incident.get('what')} ({incident.get('method')} {incident.get('url')}); "
            "cancel it if it is real",
            fg="red",
            bold=True,
        )
    maturity = score.maturity
    if maturity is None:
        click.echo("  Annex A: not assessed (--maturity FILE)")
    else:
        shown = maturity.score if maturity.score is not None else f"{maturity.total} x M (unknown)"
        click.echo(f"  Annex A: score {shown}, {maturity.grade_note}")
    click.echo(f"  points: {score.points_source}{' (default)' if score.points_are_default else ''}")
    click.echo(f"  ratings: {score.ratings_source or 'none'}")
    if maturity is not None:
        click.echo(f"  maturity: {maturity.source or 'none'}")
    if result.integrity:
        click.secho(f"  bundle integrity: {len(result.integrity)} problem(s)", fg="red")
        for problem in result.integrity:
            click.echo(f"    {problem}")
    click.echo(f"  manifest SHA-256: {result.bundle.manifest_sha256()}")
    if paths.get("html"):
        click.echo(f"  report: {Path(paths['html']).resolve()}")
    if paths.get("pdf"):
        click.echo(f"  evidence pack: {paths['pdf']}")


def print_verdict(verdict: Verdict, bundle_root: Path | None = None) -> None:
    item = registry.catalogue()[verdict.clause_id]
    colour = OUTCOME_COLOURS[verdict.outcome.value]
    click.secho(f"{verdict.clause_id}  {item.title_zh} / {item.title_en}", bold=True)
    click.echo("  verdict: " + click.style(verdict.outcome.value, fg=colour, bold=True))
    click.echo(f"  reason:  {verdict.reason}")
    for ev in verdict.evidence:
        click.echo(f"  - {ev.page or ev.step}: {ev.url}")
        if ev.selector:
            click.echo(f"      selector:   {ev.selector}")
        if ev.excerpt:
            click.echo(f"      excerpt:    {ev.excerpt}")
        if ev.screenshot:
            shot = (bundle_root.resolve() / ev.screenshot) if bundle_root else ev.screenshot
            click.echo(f"      screenshot: {shot}")
        if ev.note:
            click.echo(f"      note:       {ev.note}")
    for hint in verdict.hints:
        click.echo(f"  hint: {hint}")
    if verdict.outcome is Outcome.ERROR:
        click.secho(
            "  (the check itself failed; this is not a finding about the store)", fg="magenta"
        )


def print_missing(result: pipeline.AuditResult, items: list, login_env: str) -> None:
    """What the run lacked to decide the items it left to review."""
    from b2cect.plan import account_items

    undecided = [v for v in result.verdicts if v.outcome is Outcome.NEEDS_REVIEW]
    login = result.bundle.fact("login") or {}
    lines = []
    if login.get("status") == "no_credentials":
        chosen, every = account_items(items), account_items()
        if chosen:
            lines.append(
                f"set {login_env}_USER/{login_env}_PASSWORD: {len(chosen)} of these items "
                f"({len(every)} in the catalogue) need the customer's account"
            )
    for verdict in undecided:
        if verdict.reason.startswith("Not judged:"):
            lines.append(f"{verdict.clause_id}: {verdict.reason.removeprefix('Not judged: ')}")
    if lines:
        click.secho("Missing to decide:", bold=True)
        for line in lines:
            click.echo(f"  {line}")


def print_comparison(result) -> None:
    """`b2cect diff`: the changed verdicts, regressions first, then the score delta."""
    if not result.changes:
        click.echo("No verdict changed.")
    for change in result.changes:
        colour = {"regression": "red", "worse": "yellow", "better": "green"}.get(change.kind)
        kind = click.style(f"{change.kind:<10}", fg=colour)
        click.echo(f"  {kind} {change.clause_id:<10} {change.old or '-'} -> {change.new or '-'}")
    for which in ("objective", "final"):
        old, new = getattr(result.old_score, which), getattr(result.new_score, which)
        if old is None and new is None:
            continue
        delta = result.delta(which)
        text = "n/a" if delta is None else f"{delta:+.2f}"
        shown = [("undecided" if x is None else f"{x:.2f}") for x in (old, new)]
        click.echo(f"{which} score: {shown[0]} -> {shown[1]} ({text})")
    if result.regressions:
        click.secho(f"{len(result.regressions)} regression(s)", fg="red", bold=True)


# --- fleet scans (b2cect/fleet: fleet/ in the repository) -------------------------------------
def _add_fleet_commands() -> None:
    from b2cect.fleet.cli import fleet, history, worker

    main.add_command(fleet)
    main.add_command(history)
    main.add_command(worker)


_add_fleet_commands()


if __name__ == "__main__":  # pragma: no cover
    main()
