"""The fleet report: one row per seller (latest score, failed objective items, regressions
since its previous scan, a trend plot), as HTML and XLSX.

Store text (names, reasons) is hostile input: the HTML template escapes everything
(autoescape) and every text cell of the sheet is guarded against formulas.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

from b2cect.reports.tables import guard_cell
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.engine import Engine

from .history import fleet_state

TEMPLATES = Path(__file__).with_name("templates")
COLUMNS = [
    ("seller", "Seller"),
    ("name", "Name"),
    ("url", "URL"),
    ("tags", "Tags"),
    ("scan", "Latest scan"),
    ("finished", "Finished (UTC)"),
    ("status", "Status"),
    ("score", "Score"),
    ("delta", "Change"),
    ("failed", "Failed objective items"),
    ("regressions", "Regressions since previous scan"),
    ("error", "Error"),
    ("robots", "robots.txt"),
]


def trend_png(series: list[tuple[Any, float | None]]) -> bytes:
    """A small line plot of a seller's scores over time."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    points = [(t, s) for t, s in series if s is not None]
    fig, ax = plt.subplots(figsize=(2.4, 0.8), dpi=100)
    try:
        if points:
            xs = list(range(len(points)))
            ax.plot(xs, [s for _, s in points], marker="o", markersize=2.5, linewidth=1.2)
            ax.set_ylim(0, 100)
            ax.set_xlim(-0.5, max(0.5, len(points) - 0.5))
        ax.set_xticks([])
        ax.tick_params(labelsize=6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout(pad=0.2)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()
    finally:
        plt.close(fig)


def report_rows(engine: Engine) -> list[dict[str, Any]]:
    rows = []
    for entry in fleet_state(engine):
        seller, latest = entry["seller"], entry["latest"]
        scores = [s for _, s in entry["series"] if s is not None]
        delta = round(scores[-1] - scores[-2], 2) if len(scores) >= 2 else None
        rows.append(
            {
                "seller": seller["id"],
                "name": seller["name"],
                "url": seller["url"],
                "tags": ", ".join(seller["tags"] or []),
                "scan": latest["id"],
                "finished": latest["finished_at"].strftime("%Y-%m-%d %H:%M"),
                "status": latest["status"],
                "score": latest["score"],
                "delta": delta,
                "failed": ", ".join(latest["objective_failures"] or []),
                "regressions": ", ".join(c.clause_id for c in entry["regressions"]),
                "error": latest["error"],
                "robots": "obeyed" if latest["obey_robots"] else "ignored (authorised audit)",
                "trend": trend_png(entry["series"]),
                "scans": len(entry["series"]),
            }
        )
    return rows


def write_fleet_report(engine: Engine, out_dir: Path) -> dict[str, Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = report_rows(engine)
    return {
        "html": write_html(rows, out_dir / "fleet-report.html"),
        "xlsx": write_xlsx(rows, out_dir / "fleet-report.xlsx"),
    }


def write_html(rows: list[dict[str, Any]], path: Path) -> Path:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default=True),
    )
    for row in rows:
        row["trend_uri"] = "data:image/png;base64," + base64.b64encode(row["trend"]).decode()
    html = env.get_template("fleet_report.html.j2").render(rows=rows, columns=COLUMNS)
    path.write_text(html, encoding="utf-8")
    return path


def write_xlsx(rows: list[dict[str, Any]], path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    sheet = wb.active
    sheet.title = "fleet"
    sheet.append([title for _, title in COLUMNS] + ["Trend"])
    trend_col = get_column_letter(len(COLUMNS) + 1)
    for i, row in enumerate(rows, start=2):
        sheet.append([guard_cell(row[key]) for key, _ in COLUMNS])
        image = Image(io.BytesIO(row["trend"]))
        sheet.add_image(image, f"{trend_col}{i}")
        sheet.row_dimensions[i].height = 62
    sheet.column_dimensions[trend_col].width = 36
    for col, width in (("B", 24), ("C", 32), ("J", 40), ("K", 40), ("L", 40)):
        sheet.column_dimensions[col].width = width
    sheet.freeze_panes = "B2"
    wb.save(path)
    return path
