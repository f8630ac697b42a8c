"""Shared pytest settings: the system Chromium for pytest-playwright, and demo scans shared by
every test module (a scan takes half a minute; each seller is scanned once per session)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from b2cect.crawler.browser import LAUNCH_ARGS, find_browser
from b2cect.crawler.bundle import Bundle

from tests.once import shared_folder_once


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright drives the same browser, with the same flags, as b2cect does."""
    executable = find_browser().executable
    return {**browser_type_launch_args, "executable_path": executable, "args": LAUNCH_ARGS}


@dataclass
class DemoScan:
    """One `b2cect scan --demo SELLER` run through the CLI, as a user runs it."""

    seller: str
    out: Path
    exit_code: int
    output: str

    @property
    def bundle(self) -> Bundle:
        return Bundle(self.out / "bundle")

    @property
    def report(self) -> dict:
        return json.loads((self.out / "report" / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def demo_scan(tmp_path_factory) -> Callable[[str], DemoScan]:
    """Scan a demo seller once per test session; every test module shares the result."""
    from click.testing import CliRunner

    from b2cect.cli import main

    scans: dict[str, DemoScan] = {}

    def scan(seller: str, out: Path) -> dict:
        run = CliRunner().invoke(main, ["scan", "--demo", seller, "--out", str(out), "-q"])
        if run.exception and not isinstance(run.exception, SystemExit):
            raise run.exception
        return {"exit_code": run.exit_code, "output": run.output}

    def get(seller: str) -> DemoScan:
        if seller not in scans:
            out, run = shared_folder_once(
                tmp_path_factory, f"scan-{seller}", lambda out: scan(seller, out)
            )
            scans[seller] = DemoScan(seller, out, run["exit_code"], run["output"])
        return scans[seller]

    return get
