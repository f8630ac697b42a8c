"""Reports of a scan: report.html (self-contained), report.xlsx, report.csv, report.json."""

from .write import REPORT_SCHEMA, REPORT_SCHEMA_VERSION, load_verdicts_json, write_reports

__all__ = ["REPORT_SCHEMA", "REPORT_SCHEMA_VERSION", "load_verdicts_json", "write_reports"]
