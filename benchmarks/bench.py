"""Benchmarks: what the scan and the offline audit cost against the plainest possible baseline.

1. Live scan of the demo store against plainly opening the same URLs in one browser run
   (launch, goto each URL, wait for "load"). Target: under 1.5x.
2. Offline audit of the scan's bundle (all 84 checks and the score) against plainly parsing
   the bundle's HTML files with lxml. Target: under 2x.
3. Single-item checks (`b2cect check ID URL`: only the journey parts the item needs) against
   the full scan: a page-only item under 25% of it, a checkout item under 60%.

Usage: .venv/bin/python benchmarks/bench.py [--seller compliant] [--repeat 3]
Figures are medians over the repeats; each scan uses a fresh demo store.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import lxml.html
from b2cect.checks.registry import catalogue
from b2cect.crawler.browser import find_browser, launch, new_context
from b2cect.crawler.bundle import Bundle
from b2cect.crawler.scan import ScanOptions, scan_sync
from b2cect.demo import DEMO_PASSWORD, DEMO_USER, DemoStore
from playwright.async_api import async_playwright

from b2cect import pipeline
from b2cect.plan import parts_for, product_pages_for


def timed(fn, *args):
    start = time.perf_counter()
    value = fn(*args)
    return time.perf_counter() - start, value


# Items timed as `b2cect check` runs them: (id, what it stands for, target share of a scan).
SINGLE_ITEMS = (
    ("6.1.1.c", "page-only item, home page", 0.25),
    ("6.1.3.a", "page-only item, product pages", 0.25),
    ("6.2.2.1", "checkout item", 0.60),
)


def run_scan(
    seller: str, out: Path, parts: list[str] | None = None, max_products: int = 6
) -> tuple[float, Path, str]:
    with DemoStore(seller) as store:
        options = ScanOptions(
            url=store.url,
            out=out,
            demo=seller,
            is_test_store=True,
            place_order=True,
            credentials=(DEMO_USER, DEMO_PASSWORD),
            parts=tuple(parts) if parts is not None else None,
            max_products=max_products,
        )
        seconds, bundle_dir = timed(scan_sync, options)
        return seconds, bundle_dir, store.url


async def open_plainly(urls: list[str]) -> None:
    async with async_playwright() as pw:
        browser = await launch(pw, find_browser())
        page = await (await new_context(browser)).new_page()
        for url in urls:
            try:
                await page.goto(url, wait_until="load", timeout=20_000)
            except Exception as exc:  # a URL that only works inside the journey (POST result)
                print(f"   plain open failed for {url}: {exc.__class__.__name__}")
        await browser.close()


def plain_open_time(seller: str, bundle_dir: Path, scanned_base: str) -> float:
    """Open the scan's page URLs on a fresh store of the same seller, logged in as the scan was."""
    steps = [s for s in Bundle(bundle_dir).steps if s.html]
    with DemoStore(seller) as store:
        urls = [(s.final_url or s.url).replace(scanned_base, store.url) for s in steps]
        seconds, _ = timed(lambda: asyncio.run(open_plainly(urls)))
    return seconds


def parse_all(bundle_dir: Path) -> int:
    count = 0
    for path in sorted((bundle_dir / "pages").glob("*.html")):
        lxml.html.document_fromstring(path.read_text(encoding="utf-8"))
        count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seller", default="compliant")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    scans, plains, audits, parses = [], [], [], []
    singles: dict[str, list[float]] = {clause_id: [] for clause_id, _, _ in SINGLE_ITEMS}
    shares: dict[str, list[float]] = {clause_id: [] for clause_id, _, _ in SINGLE_ITEMS}
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.repeat):
            scan_s, bundle_dir, base = run_scan(args.seller, Path(tmp) / f"scan{n}")
            scans.append(scan_s)
            # Each check right after its full scan: a shared machine's load drifts less
            # between the two than across the whole benchmark.
            for clause_id, _, _ in SINGLE_ITEMS:
                items = [catalogue()[clause_id]]
                parts, products = parts_for(items), product_pages_for(items, 6)
                out = Path(tmp) / f"check-{clause_id}-{n}"
                seconds = run_scan(args.seller, out, parts, products)[0]
                singles[clause_id].append(seconds)
                shares[clause_id].append(seconds / scan_s)
            plains.append(plain_open_time(args.seller, bundle_dir, base))
            for _ in range(3):
                audits.append(timed(pipeline.audit, bundle_dir)[0])
                parses.append(timed(parse_all, bundle_dir)[0])
        pages = len([s for s in Bundle(bundle_dir).steps if s.html])

    scan_m, plain_m = statistics.median(scans), statistics.median(plains)
    audit_m, parse_m = statistics.median(audits), statistics.median(parses)
    scan_ratio, audit_ratio = scan_m / plain_m, audit_m / parse_m
    print(f"demo seller {args.seller}: {pages} pages per bundle; medians of {args.repeat} runs")
    print(f"live scan            {scan_m:7.2f} s")
    print(f"plain open of URLs   {plain_m:7.2f} s   ratio {scan_ratio:5.2f}x (target < 1.5x)")
    print(f"offline audit        {audit_m * 1000:7.0f} ms")
    print(f"plain lxml parse     {parse_m * 1000:7.0f} ms  ratio {audit_ratio:5.2f}x (target < 2x)")
    for clause_id, what, target in SINGLE_ITEMS:
        seconds, share = statistics.median(singles[clause_id]), statistics.median(shares[clause_id])
        print(
            f"check {clause_id:<9}  {seconds:7.2f} s   {share:5.0%} of the scan "
            f"(target < {target:.0%}; {what})"
        )


if __name__ == "__main__":
    main()
