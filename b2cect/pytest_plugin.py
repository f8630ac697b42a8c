"""pytest plugin: a store's compliance as a test suite, for a seller's CI.

    pytest --b2cect-bundle out/bundle --junitxml=compliance.xml
    pytest --b2cect-url https://shop.example.cn/ --b2cect-baseline last/report.json

One test per Chapter 6 item, named "<id> <title>": pass and fail as judged (after nothing: the
plugin applies no auditor files), needs_review and not_applicable are skipped with the reason,
a check error is an error. `--b2cect-ignore ID` and `--b2cect-baseline report.json` turn known
failures into expected ones (xfail), so only new failures fail the run. A bundle whose SHA-256
check fails adds one failing test, "bundle integrity".

Registered through the `pytest11` entry point; it does nothing unless --b2cect-bundle or
--b2cect-url is given.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from b2cect import pipeline
from b2cect.checks.registry import catalogue
from b2cect.checks.verdict import Outcome, Verdict


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("b2cect", "storefront compliance, LB/T 10001-2015 (b2cect)")
    group.addoption("--b2cect-bundle", metavar="DIR", help="Judge this saved bundle.")
    group.addoption("--b2cect-url", metavar="URL", help="Scan this store, then judge it.")
    group.addoption(
        "--b2cect-out",
        metavar="DIR",
        help="Where --b2cect-url saves the bundle (default: a new folder in b2cect-out/).",
    )
    group.addoption(
        "--b2cect-ignore",
        action="append",
        default=[],
        metavar="ID",
        help="An item whose failure is known (repeatable): expected, not a test failure.",
    )
    group.addoption(
        "--b2cect-baseline",
        metavar="REPORT_JSON",
        help="A previous report.json: items failing there are expected to fail now.",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("b2cect_bundle") or config.getoption("b2cect_url"):
        config.pluginmanager.register(ComplianceRun(config), "b2cect-compliance-run")


class ComplianceRun:
    """Judges the bundle once, when pytest collects, and adds one test per item."""

    def __init__(self, config: pytest.Config):
        self.config = config
        self.known_failures = self._known_failures()
        self.result = self._judge()

    def _known_failures(self) -> set[str]:
        known = set(self.config.getoption("b2cect_ignore"))
        unknown = known - set(catalogue())
        if unknown:
            raise pytest.UsageError(f"--b2cect-ignore: unknown item ids {sorted(unknown)}")
        baseline = self.config.getoption("b2cect_baseline")
        if baseline:
            from b2cect.diff import load_judgement

            try:
                outcomes, _ = load_judgement(Path(baseline))
            except (OSError, ValueError, KeyError, pipeline.InputError) as exc:
                raise pytest.UsageError(f"--b2cect-baseline {baseline}: {exc}") from None
            known |= {cid for cid, outcome in outcomes.items() if outcome == Outcome.FAIL.value}
        return known

    def _judge(self) -> pipeline.AuditResult:
        bundle_dir = self.config.getoption("b2cect_bundle")
        try:
            if not bundle_dir:
                bundle_dir = self._scan(self.config.getoption("b2cect_url"))
            return pipeline.audit(Path(bundle_dir))
        except pipeline.InputError as exc:
            raise pytest.UsageError(f"b2cect: {exc}") from None

    def _scan(self, url: str) -> Path:
        from b2cect.crawler.scan import ScanOptions, scan_sync

        pipeline.check_url(url)
        given = self.config.getoption("b2cect_out")
        out = pipeline.claim_out_dir(Path(given), "bundle") if given else None
        out = out or pipeline.default_out_dir(url)
        return scan_sync(ScanOptions(url=url, out=out / "bundle"))

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        suite = ComplianceSuite.from_parent(session, name="b2cect", nodeid="b2cect", run=self)
        items.extend(suite.collect())

    def pytest_report_header(self, config: pytest.Config) -> str:
        bundle = self.result.bundle
        return (
            f"b2cect: {bundle.store.get('url', '')} bundle {bundle.root} "
            f"(manifest SHA-256 {bundle.manifest_sha256()[:16]}...)"
        )


class ComplianceSuite(pytest.Collector):
    def __init__(self, *, run: ComplianceRun, **kwargs: Any):
        super().__init__(**kwargs)
        self.run = run

    def collect(self) -> Iterator[pytest.Item]:
        if self.run.result.integrity:
            yield IntegrityItem.from_parent(self, name="bundle integrity")
        items = catalogue()
        final = self.run.result.final_outcomes()
        for verdict in self.run.result.verdicts:
            item = items[verdict.clause_id]
            yield ItemCheck.from_parent(
                self,
                name=f"{item.id} {item.title_en}",
                verdict=verdict,
                outcome=final[verdict.clause_id],
                known=verdict.clause_id in self.run.known_failures,
            )


class ComplianceFailure(Exception):
    """A store that fails an item; shown as the verdict's reason and evidence."""


class ItemCheck(pytest.Item):
    def __init__(self, *, verdict: Verdict, outcome: str, known: bool, **kwargs: Any):
        super().__init__(**kwargs)
        self.verdict = verdict
        self.outcome = outcome
        self.known = known
        item = catalogue()[verdict.clause_id]
        self.user_properties += [("clause_id", item.id), ("title_zh", item.title_zh)]

    def runtest(self) -> None:
        reason = self.verdict.reason
        if self.outcome == Outcome.FAIL.value:
            if self.known:
                pytest.xfail(f"known failure: {reason}")
            raise ComplianceFailure(reason)
        if self.outcome == Outcome.ERROR.value:
            raise RuntimeError(f"the check itself failed (not a finding): {reason}")
        if self.outcome in (Outcome.NEEDS_REVIEW.value, Outcome.NOT_APPLICABLE.value):
            pytest.skip(f"{self.outcome}: {reason}")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None) -> str:
        if not isinstance(excinfo.value, ComplianceFailure):
            return str(excinfo.value)
        lines = [f"{self.verdict.clause_id}: {self.verdict.reason}"]
        for ev in self.verdict.evidence:
            lines.append(f"  - {ev.page or ev.step}: {ev.url}")
            for label, value in (("selector", ev.selector), ("excerpt", ev.excerpt)):
                if value:
                    lines.append(f"      {label}: {value}")
        return "\n".join(lines)

    def reportinfo(self) -> tuple[str, int, str]:
        return "b2cect", 0, self.name


class IntegrityItem(pytest.Item):
    def runtest(self) -> None:
        problems = self.parent.run.result.integrity
        raise ComplianceFailure("bundle failed its SHA-256 check: " + "; ".join(problems))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None) -> str:
        return str(excinfo.value)

    def reportinfo(self) -> tuple[str, int, str]:
        return "b2cect", 0, self.name
