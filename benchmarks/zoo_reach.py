"""Reach on the storefront zoo: scan each zoo shop (fixtures/shapes/) and print its reach table,
how many machine-checkable items were decided, and how reach and the verdicts of the items its
shape touches compare with the expected ones (fixtures/shapes/expected_reach.yaml).

Usage: .venv/bin/python benchmarks/zoo_reach.py [SHAPE ...] [--rows] [--keep DIR]
No order is ever placed: the zoo shops are scanned as real stores, and the script says so if
one counted an order.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from b2cect.crawler.bundle import Bundle
from b2cect.crawler.scan import ScanOptions, scan_sync
from b2cect.shapes import CUSTOMER, SHAPES, ShapeStore
from b2cect.shapes.expected import expected_reach, expected_verdicts

from b2cect import pipeline


def scan_shape(name: str, out: Path, max_products: int = 3) -> tuple[Path, int, float]:
    """Scan one zoo shop as a real store; (bundle dir, orders it counted, seconds)."""
    with ShapeStore(name) as store:
        t0 = time.perf_counter()
        bundle_dir = scan_sync(
            ScanOptions(
                url=store.url,
                out=out,
                credentials=(CUSTOMER["email"], CUSTOMER["password"]),
                max_products=max_products,
                is_test_store=True,  # our own shops: the order guard records, never holds back
            )
        )
        return bundle_dir, store.orders_placed, time.perf_counter() - t0


def reach_of(bundle_dir: Path) -> dict[str, dict]:
    return {row["kind"]: row for row in Bundle(bundle_dir).manifest.get("reach", [])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shapes", nargs="*", default=list(SHAPES))
    parser.add_argument("--rows", action="store_true", help="print every reach row")
    parser.add_argument("--keep", type=Path, help="keep the bundles in this folder")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="b2cect-zoo-"))
    totals = {"expected": 0, "reached": 0}
    for name in args.shapes:
        bundle_dir, placed, seconds = scan_shape(name, root / name)
        rows = reach_of(bundle_dir)
        result = pipeline.audit(bundle_dir)
        score = result.score
        want_verdicts = expected_verdicts(name)
        got = {v.clause_id: v for v in result.verdicts}
        differ = [k for k, outcome in want_verdicts.items() if got[k].outcome.value != outcome]
        want = expected_reach(name)
        reached = [k for k in want if rows.get(k, {}).get("status") == "ok"]
        missed = [k for k in want if k not in reached]
        totals["expected"] += len(want)
        totals["reached"] += len(reached)
        print(
            f"\n== {name} ({SHAPES[name].lang}, {SHAPES[name].about}): reach {len(reached)}/"
            f"{len(want)}, decided {score.coverage_decided}/{score.coverage_total},"
            f" verdicts as expected {len(want_verdicts) - len(differ)}/{len(want_verdicts)},"
            f" {seconds:.0f} s{', ORDER PLACED' if placed else ''}"
        )
        for key in differ:
            print(f"   verdict {key}: {got[key].outcome.value}, expected {want_verdicts[key]}")
        for kind in missed:
            row = rows.get(kind, {})
            print(f"   missing {kind:<18} {row.get('status', '-'):<8} {row.get('note', '')[:90]}")
        if args.rows:
            for kind, row in rows.items():
                print(
                    f"   {kind:<18} {row['status']:<8} {row.get('found_by', '')[:60]:<60}"
                    f" {row.get('url', '')[:60]}"
                )
    print(
        f"\nzoo reach: {totals['reached']}/{totals['expected']} expected pages; bundles in {root}"
    )


if __name__ == "__main__":
    main()
