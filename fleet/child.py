"""One seller's scan in a process of its own: `python -m b2cect.fleet.child JOB.json`.

The fleet's watchdog kills this process group (the browser with it) when the scan exceeds its
budget; whatever happens, the parent decides the outcome from `result.json` or its absence.
Reads the job written by task.py; writes the bundle, the report and result.json into the
scan folder.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any


def run(job: dict[str, Any]) -> dict[str, Any]:
    from b2cect.crawler.scan import ScanOptions, scan_sync
    from b2cect.fleet.polite import HostRateLimiter
    from b2cect.reports import write_reports

    from b2cect import pipeline

    seller, settings = job["seller"], job["settings"]
    out_dir = Path(job["out_dir"])
    limiter = HostRateLimiter(Path(job["state_dir"]), settings["requests_per_second_per_host"])
    log = (out_dir / "scan.log").open("a", encoding="utf-8")

    def progress(step: Any) -> None:
        note = f"  ({step.error})" if step.error else ""
        print(f"{step.status:<8} {step.id:<20} {step.duration_ms / 1000:5.1f}s{note}", file=log)
        log.flush()

    options = ScanOptions(
        url=seller["url"],
        out=out_dir / "bundle",
        profile=Path(seller["profile"]) if seller.get("profile") else None,
        login_env=seller.get("login_env") or "B2CECT_LOGIN",
        step_timeout_s=float(settings["step_timeout_s"]),
        max_products=int(settings["max_products"]),
        browser=settings.get("browser"),
        progress=progress,
        user_agent=job["user_agent"],
        obey_robots=bool(settings["obey_robots"]),
        throttle=limiter.throttle(),
        browser_endpoint=job.get("browser_endpoint"),
        browser_downloads=Path(job["browser_downloads"]) if job.get("browser_downloads") else None,
    )
    bundle_dir = scan_sync(options)
    result = pipeline.audit(bundle_dir)
    command = f"fleet scan of seller {seller['id']}"
    run_info = pipeline.report_run_info(result, command)
    write_reports(out_dir / "report", result.verdicts, result.bundle, result.score, run_info)
    unreachable = result.could_not_run()
    reachable = unreachable is None
    score = result.score
    return {
        "status": "ok" if reachable else "error",
        "error": "" if reachable else f"the store could not be scanned: {unreachable}",
        "bundle_sha256": result.bundle.manifest_sha256(),
        "bundle_dir": str(bundle_dir),
        "score": round(score.decided_score, 2) if reachable else None,
        "final_score": score.final if reachable else None,
        "counts": result.counts(),
        "objective_failures": result.objective_failures(),
        "verdicts": [
            {"clause_id": v.clause_id, "outcome": v.outcome.value, "reason": v.reason}
            for v in result.verdicts
        ],
        "integrity": result.integrity,
    }


def die_with_parent(parent: int, poll_s: float = 1.0) -> None:
    """Kill this process group (the browser with it) once the fleet process that started it
    is gone: a fleet killed with `kill -9` must not leave scans running unrecorded."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_s)
        os.killpg(os.getpgrp(), signal.SIGKILL)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def main(argv: list[str]) -> int:
    job_path = Path(argv[1])
    job = json.loads(job_path.read_text(encoding="utf-8"))
    die_with_parent(int(job.get("parent_pid") or os.getppid()))
    out = Path(job["out_dir"]) / "result.json"
    try:
        result = run(job)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as the scan's error
        traceback.print_exc()
        result = {"status": "error", "error": f"scan failed: {type(exc).__name__}: {exc}"[:500]}
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    tmp.replace(out)  # the parent never reads half a result
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
