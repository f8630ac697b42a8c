"""6.5.4.b judges the downloaded order export from its own bytes, not only from the probe's word.

YAML cases cannot carry downloads, so these build bundles with real files in downloads/.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
from b2cect.checks.data_service import two_years_of_orders_downloadable
from b2cect.checks.verdict import Outcome
from b2cect.crawler.bundle import Bundle, BundleWriter, Step


def bundle_with_export(
    root: Path, name: str, data: bytes, file_row: dict, history: dict | None = None
) -> Bundle:
    writer = BundleWriter(root, store={"url": "http://shop.test/"}, tool={"name": "b2cect"})
    page = writer.write_text(
        "pages/orders.html", "<html><body><button>导出订单</button></body></html>"
    )
    writer.add_step(Step(id="orders", kind="orders", url="http://shop.test/orders", html=page))
    rel = writer.write_bytes(f"downloads/{name}", data)
    writer.set_fact(
        "order_export",
        {"step": "orders", "control_text": "导出订单", "files": [{"path": rel, **file_row}]},
    )
    if history:
        writer.set_fact("order_history", {"step": "orders", **history})
    writer.finish()
    return Bundle(root)


def xlsx_bytes(tmp_path: Path, rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / "made.xlsx"
    book.save(path)
    return path.read_bytes()


def test_xlsx_dates_are_read_from_the_workbook(tmp_path: Path) -> None:
    rows = [
        ["订单号", "下单时间", "金额"],
        ["A3", date(2024, 5, 1), 99],
        ["A2", "2022-11-02", 45],
        ["A1", date(2021, 3, 9), 12],
    ]
    data = xlsx_bytes(tmp_path, rows)
    # The probe's row says nothing about dates: the pass must come from the file itself.
    verdict = two_years_of_orders_downloadable(
        bundle_with_export(tmp_path / "b", "orders.xlsx", data, {"format": "xlsx"})
    )
    assert verdict.outcome is Outcome.PASS, verdict.reason
    assert "2021-03-09" in verdict.reason and "read from the file" in verdict.reason


def test_csv_content_overrules_the_probe(tmp_path: Path) -> None:
    text = "订单号,下单日期,金额\nB2,2024/03/01,10\nB1,2024/01/15,20\n"
    history = {
        "orders": [{"ref": "B0", "date": "2022-04-01"}],
        "count": 3,
        "earliest": "2022-04-01",
        "latest": "2024-03-01",
    }
    claimed = {"format": "csv", "rows": 3, "earliest": "2021-01-01", "latest": "2024-03-01"}
    verdict = two_years_of_orders_downloadable(
        bundle_with_export(tmp_path / "b", "orders.csv", text.encode("gb18030"), claimed, history)
    )
    assert verdict.outcome is Outcome.FAIL, verdict.reason
    assert "2024-01-15" in verdict.reason


def test_html_saved_as_xls_is_not_an_office_file(tmp_path: Path) -> None:
    page = b"<html><body><table><tr><td>2021-01-01</td></tr></table></body></html>"
    verdict = two_years_of_orders_downloadable(
        bundle_with_export(
            tmp_path / "b", "orders.xls", page, {"format": "xls", "office_format": True}
        )
    )
    assert verdict.outcome is Outcome.FAIL, verdict.reason
    assert "html" in verdict.reason
