"""The `b2cect` command: scan, discover, check, audit, clauses, demo."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from b2cect import pipeline
from b2cect.checks import registry
from b2cect.checks.verdict import Outcome, Verdict

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
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Auditor's Annex A maturity levels (YAML/CSV).",
    )(fn)
    fn = click.option(
        "--ratings",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Auditor's ratings: Likert level or alpha per item, vetoes E1-E4.",
    )(fn)
    fn = click.option(
        "--points",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Point table replacing the default one (id,points; sum 100).",
    )(fn)
    return fn


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
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
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
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: b2cect-out/<host>-<time>).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary.")
def scan(url, points, ratings, maturity, out, quiet, **crawl) -> None:
    """Scan a store (the demo store when no URL is given), judge it and write a report.

    Exit code: 0 no objective item failed, 1 some failed, 2 the scan could not run.
    """
    with gathered(url, out, quiet, **crawl) as (out_dir, bundle_dir):
        result = pipeline.audit(bundle_dir, points=points, ratings=ratings, maturity=maturity)
        paths = write_reports(out_dir / "report", result)
        print_summary(result, paths)
        sys.exit(scan_exit_code(result))


@main.command()
@click.argument("clause_id")
@click.argument("url", required=False)
@click.option(
    "--bundle",
    "bundle_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Judge a saved bundle instead of scanning.",
)
@crawl_options
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the scan's bundle goes (default: b2cect-out/<host>-<time>).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the verdicts as JSON.")
def check(clause_id, url, bundle_dir, out, as_json, **crawl) -> None:
    """Judge one item (e.g. 6.1.3.a) or a section (e.g. 6.5.4) and print the evidence."""
    try:
        registry.select([clause_id])
    except KeyError as exc:
        raise click.BadParameter(exc.args[0], param_hint="CLAUSE_ID") from None
    if bundle_dir is None:
        with gathered(url, out, quiet=True, **crawl) as (_, bundle_dir):
            result = pipeline.audit(bundle_dir, [clause_id])
    else:
        result = pipeline.audit(bundle_dir, [clause_id])
    if as_json:
        click.echo(json.dumps([v.to_dict() for v in result.verdicts], ensure_ascii=False, indent=1))
    else:
        for verdict in result.verdicts:
            print_verdict(verdict)
    sys.exit(result.exit_code())


@main.command()
@click.argument("bundle_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@scoring_options
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Report folder (default: <bundle>/../report-audit).",
)
def audit(bundle_dir, points, ratings, maturity, out) -> None:
    """Re-judge a saved bundle offline (no browser, no network) and write a report."""
    try:
        result = pipeline.audit(bundle_dir, points=points, ratings=ratings, maturity=maturity)
    except (FileNotFoundError, ValueError) as exc:
        click.secho(f"b2cect: {exc}", fg="red", err=True)
        sys.exit(pipeline.EXIT_NO_SCAN)
    if result.integrity:
        click.secho("Bundle integrity problems (SHA-256):", fg="red", err=True)
        for problem in result.integrity:
            click.echo(f"  {problem}", err=True)
    paths = write_reports(out or bundle_dir.parent / "report-audit", result)
    print_summary(result, paths)
    sys.exit(result.exit_code())


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
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
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
) -> Iterator[tuple[Path, Path]]:
    """Run the crawler (starting the demo store when asked) and yield (out_dir, bundle_dir)."""
    from b2cect.crawler.browser import BrowserNotFound
    from b2cect.crawler.scan import ScanOptions, scan_sync

    if url and demo:
        raise click.UsageError("give a URL or --demo, not both")
    with contextlib.ExitStack() as stack:
        options = dict(
            profile=profile,
            login_env=login_env,
            step_timeout_s=step_timeout,
            max_products=max_products,
            browser=browser,
            progress=None if quiet else print_step,
        )
        if not url:
            from b2cect.demo import DEMO_PASSWORD, DEMO_USER, SELLERS, DemoStore

            seller = demo or SELLERS[0]
            if seller not in SELLERS:
                raise click.BadParameter(f"choose one of {', '.join(SELLERS)}", param_hint="--demo")
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
            click.echo(f"Scanning {url} -> {out_dir}")
        try:
            bundle_dir = scan_sync(ScanOptions(url=url, out=out_dir / "bundle", **options))
        except BrowserNotFound as exc:
            click.secho(f"b2cect: {exc}", fg="red", err=True)
            sys.exit(pipeline.EXIT_NO_SCAN)
        yield out_dir, bundle_dir


def scan_exit_code(result: pipeline.AuditResult) -> int:
    home = [s for s in result.bundle.steps if s.kind == "home"]
    if not home or home[0].status != "ok":
        reason = home[0].error if home else "no home step"
        click.secho(f"b2cect: the store could not be scanned: {reason}", fg="red", err=True)
        return pipeline.EXIT_NO_SCAN
    return result.exit_code()


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


def write_reports(out_dir: Path, result: pipeline.AuditResult) -> dict[str, Path]:
    from b2cect.reports import write_reports as write

    run_info = {"command": " ".join(sys.argv[1:]), "integrity": result.integrity}
    return write(out_dir, result.verdicts, result.bundle, result.score, run_info)


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
    if result.integrity:
        click.secho(f"  bundle integrity: {len(result.integrity)} problem(s)", fg="red")
    click.echo(f"  report: {paths.get('html')}")


def print_verdict(verdict: Verdict) -> None:
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
            click.echo(f"      screenshot: {ev.screenshot}")
        if ev.note:
            click.echo(f"      note:       {ev.note}")
    for hint in verdict.hints:
        click.echo(f"  hint: {hint}")
    if verdict.outcome is Outcome.ERROR:
        click.secho(
            "  (the check itself failed; this is not a finding about the store)", fg="magenta"
        )


# --- fleet scans (b2cect/fleet: fleet/ in the repository) -------------------------------------
def _add_fleet_commands() -> None:
    from b2cect.fleet.cli import fleet, history, worker

    main.add_command(fleet)
    main.add_command(history)
    main.add_command(worker)


_add_fleet_commands()


if __name__ == "__main__":  # pragma: no cover
    main()
