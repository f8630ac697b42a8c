"""Scans of the real third-party test stores (tests/oscar/, tests/evershop/) through the CLI,
as a user runs them, and the auditor's expected verdicts they are compared with."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from b2cect.crawler.bundle import Bundle

B2CECT = Path(sys.executable).with_name("b2cect")


@dataclass
class CliScan:
    """One `b2cect scan URL --out OUT` run: its folder, exit code and console output."""

    out: Path
    exit_code: int
    output: str

    @property
    def bundle(self) -> Bundle:
        return Bundle(self.out / "bundle")

    @property
    def verdicts(self) -> dict[str, dict]:
        report = json.loads((self.out / "report" / "report.json").read_text(encoding="utf-8"))
        return {v["clause_id"]: v for v in report["verdicts"]}


def start_scan(url: str, out: Path, credentials: tuple[str, str]) -> subprocess.Popen:
    """Start a scan as a real store (no profile), logged in through the environment as a user
    would; `finish_scan` collects it. Several may run side by side."""
    env = {
        **os.environ,
        "B2CECT_LOGIN_USER": credentials[0],
        "B2CECT_LOGIN_PASSWORD": credentials[1],
    }
    return subprocess.Popen(
        [str(B2CECT), "scan", url, "--out", str(out), "-q"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish_scan(process: subprocess.Popen, out: Path, timeout_s: float) -> CliScan:
    output, _ = process.communicate(timeout=timeout_s)
    return CliScan(out, process.returncode, output)


def run_scan(url: str, out: Path, credentials: tuple[str, str], timeout_s: float) -> CliScan:
    return finish_scan(start_scan(url, out, credentials), out, timeout_s)


def expected_rows(*files: Path) -> dict[str, dict[str, str]]:
    """{item id: row} of expected.csv files (id, outcome, reason, ...); later files override."""
    rows: dict[str, dict[str, str]] = {}
    for path in files:
        with path.open(encoding="utf-8", newline="") as handle:
            rows.update({row["id"]: row for row in csv.DictReader(handle)})
    return rows
