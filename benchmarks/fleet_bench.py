"""Fleet benchmark: stores per hour and peak memory per concurrent store, at several
concurrency levels, on local demo stores; then the same with the hostile stores mixed in.

Usage: .venv/bin/python benchmarks/fleet_bench.py [--concurrency 1 2 4 8] [--stores 4]
       [--rounds 2] [--max-products 2] [--timeout 10] [--sets demo hostile]
       [--modes per-scan shared]

Each level scans max(--stores, rounds x concurrency) demo sellers (compliant and noncompliant
alternating, each on its own port) so every worker stays busy. Browser modes (a Chromium per
scan, or one shared Chromium with a context per scan) run one after the other at each level,
so both see the same load from the rest of the machine. Memory is the proportional set
size (PSS) of the scan processes, their Playwright drivers and browsers, sampled every 0.25 s
(the fleet process and the demo stores, served from this process, are left out); "per store"
divides its peak by the scans running at that moment (in shared mode the whole browser is
divided by the scans still running, which overstates it as a level winds down), "per slot"
divides the peak by the concurrency. Not a test: figures depend on the
machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml
from b2cect.demo import DEMO_PASSWORD, DEMO_USER, DemoStore
from b2cect.fleet import db
from b2cect.fleet.runner import run_fleet
from b2cect.fleet.sellers import load_sellers
from b2cect.fleet.shared_browser import descendants

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.hostile_store import KINDS, HostileStore  # noqa: E402

# The hostile set: every kind of the fleet test, plus a page that keeps its renderer busy.
HOSTILE_KINDS = (*KINDS, "busy_script")


def pss_bytes(pid: int) -> int:
    """Proportional set size: shared pages (Chromium's processes share many) count once."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def tree_memory(root: int) -> int:
    """Memory of the scans under `root`: the PSS of its descendants (the scan processes, their
    drivers and browsers), not of the fleet process itself."""
    return sum(pss_bytes(pid) for pid in descendants(root) if pid != root)


class MemorySampler(threading.Thread):
    def __init__(self, running: list[int]):
        super().__init__(daemon=True)
        self.running = running  # [scans running now], updated by the progress callback
        self.peak_total = 0
        self.peak_per_store = 0.0
        self.stop_flag = threading.Event()

    def run(self) -> None:
        while not self.stop_flag.wait(0.25):
            total = tree_memory(os.getpid())
            self.peak_total = max(self.peak_total, total)
            if self.running[0]:
                self.peak_per_store = max(self.peak_per_store, total / self.running[0])


def bench(
    concurrency: int, n_demo: int, hostile: bool, args: argparse.Namespace, mode: str
) -> dict:
    stores = [DemoStore(("compliant", "noncompliant")[i % 2]).start() for i in range(n_demo)]
    bad = [HostileStore(k).start() for k in HOSTILE_KINDS] if hostile else []
    tmp = Path(tempfile.mkdtemp(prefix="b2cect-fleet-bench-"))
    sellers = [
        {"id": f"demo{i}", "name": s.seller, "url": s.url, "login_env": "BENCHDEMO"}
        for i, s in enumerate(stores)
    ] + [
        # Hostile stores get a budget of their own: the demo sellers' would let a hang last
        # as long as a whole demo scan.
        {
            "id": s.kind.replace("_", "-"),
            "name": s.kind,
            "url": s.url,
            "store_budget_s": args.hostile_budget,
        }
        for s in bad
    ]
    (tmp / "sellers.yaml").write_text(
        yaml.safe_dump(
            {
                "fleet": {
                    "store_budget_s": args.budget,
                    "step_timeout_s": args.timeout,
                    "max_products": args.max_products,
                    # loopback test stores: no rate limit, no page cap in the way
                    "requests_per_second_per_host": 0,
                    "pages_per_host": 64,
                },
                "sellers": sellers,
            }
        )
    )
    running = [0]

    def progress(event, seller, outcome):
        running[0] += 1 if event == "start" else -1

    sampler = MemorySampler(running)
    sampler.start()
    t0 = time.monotonic()
    try:
        result = run_fleet(
            load_sellers(tmp / "sellers.yaml"),
            db_url=db.db_url(tmp / "h.sqlite"),
            out_root=tmp / "out",
            concurrency=concurrency,
            state_dir=tmp / "state",
            progress=progress,
            browser_mode=mode,
        )
    finally:
        wall = time.monotonic() - t0
        sampler.stop_flag.set()
        for s in stores:
            s.stop()
        for s in bad:
            s.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    ok = sum(1 for o in result.outcomes.values() if o["status"] == "ok")
    demo_ok = sum(
        1 for sid, o in result.outcomes.items() if sid.startswith("demo") and o["status"] == "ok"
    )
    errors = {sid: o["error"][:90] for sid, o in result.outcomes.items() if o["status"] != "ok"}
    return {
        "mode": mode,
        "demo": n_demo,
        "demo_ok": demo_ok,
        "errors": errors,
        "concurrency": concurrency,
        "stores": len(sellers),
        "ok": ok,
        "wall_s": wall,
        "stores_per_hour": len(sellers) / wall * 3600,
        "peak_total_mib": sampler.peak_total / 2**20,
        "peak_per_store_mib": sampler.peak_per_store / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--stores", type=int, default=4)
    parser.add_argument("--max-products", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=10)
    parser.add_argument("--budget", type=int, default=300, help="seconds per demo store")
    parser.add_argument("--hostile-budget", type=int, default=60, help="seconds per hostile store")
    parser.add_argument("--rounds", type=int, default=2, help="demo sellers per worker")
    parser.add_argument(
        "--modes", nargs="+", choices=["per-scan", "shared"], default=["per-scan", "shared"]
    )
    parser.add_argument("--errors", action="store_true", help="print each store's error")
    parser.add_argument(
        "--sets",
        nargs="+",
        choices=["demo", "hostile"],
        default=["demo", "hostile"],
        help="demo: demo sellers only; hostile: the same with the hostile stores mixed in",
    )
    args = parser.parse_args()
    os.environ["BENCHDEMO_USER"], os.environ["BENCHDEMO_PASSWORD"] = DEMO_USER, DEMO_PASSWORD
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; demo stores, "
        f"max {args.max_products} products"
    )
    head = (
        f"{'set':<9}{'mode':<10}{'conc':>5}{'stores':>7}{'ok':>4}{'demo ok':>8}{'wall s':>8}"
        f"{'stores/h':>10}{'peak MiB':>10}{'MiB/store':>10}{'MiB/slot':>9}{'load':>6}"
    )
    print(head)
    sets = [(n, n == "hostile") for n in args.sets]
    for name, hostile in sets:
        for c in args.concurrency:
            for mode in args.modes:
                r = bench(c, max(args.stores, args.rounds * c), hostile, args, mode)
                print(
                    f"{name:<9}{mode:<10}{r['concurrency']:>5}{r['stores']:>7}{r['ok']:>4}"
                    f"{r['demo_ok']:>4}/{r['demo']:<3}{r['wall_s']:>8.0f}"
                    f"{r['stores_per_hour']:>10.0f}{r['peak_total_mib']:>10.0f}"
                    f"{r['peak_per_store_mib']:>10.0f}{r['peak_total_mib'] / c:>9.0f}"
                    f"{os.getloadavg()[0]:>6.1f}",
                    flush=True,
                )
                if args.errors:
                    for sid, why in sorted(r["errors"].items()):
                        print(f"    {sid:<22} {why}", flush=True)


if __name__ == "__main__":
    main()
