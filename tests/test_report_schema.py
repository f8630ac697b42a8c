"""report.json keeps to its published JSON Schema (docs/report.schema.json)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from b2cect.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("reports")
    found = {}
    for seller in ("compliant", "noncompliant"):
        bundle = ROOT / "fixtures" / "bundles" / seller
        CliRunner().invoke(main, ["audit", str(bundle), "--out", str(out / seller)])
        path = out / seller / "report" / "report.json"
        found[seller] = json.loads(path.read_text(encoding="utf-8"))
    return found


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("seller", ["compliant", "noncompliant"])
def test_reports_of_both_demo_sellers_keep_to_the_schema(reports, seller):
    jsonschema.validate(reports[seller], SCHEMA, cls=jsonschema.Draft202012Validator)
    assert reports[seller]["run"]["judge"]["checks_sha256"]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda r: r["verdicts"][0].update(outcome="maybe"),
        lambda r: r["run"].update(manifest_sha256="not a hash"),
        lambda r: r["run"]["judge"].pop("checks_sha256"),
        lambda r: r["verdicts"][0]["evidence"].append({"step": "home"}),
        lambda r: r.pop("score"),
    ],
)
def test_the_schema_rejects_a_spoiled_report(reports, spoil):
    report = copy.deepcopy(reports["noncompliant"])
    spoil(report)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, SCHEMA, cls=jsonschema.Draft202012Validator)
