"""report.pdf: the evidence pack an auditor files, printed by Chromium from the report page.

The pack is the HTML report's print layout (its print CSS): a cover with the store, dates,
tool version, the manifest's SHA-256, the score and the Annex A grade; the findings; the score;
and each failed item with its evidence and crops. Chromium is the one b2cect drives anyway
(b2cect.crawler.browser.find_browser), so the PDF looks as the page does in the browser.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from b2cect.checks.scoring import ScoreResult
from b2cect.checks.verdict import Verdict
from b2cect.crawler.browser import LAUNCH_ARGS, find_browser
from b2cect.crawler.bundle import Bundle
from b2cect.crawler.scan import run_sync

from .context import ReportContext
from .write import render_html, report_context

PDF_NAME = "report.pdf"
PRINT_TIMEOUT_MS = 60_000
FOOTER = (
    '<div style="font-size:7px;width:100%;padding:0 10mm;color:#5b6474;'
    'font-family:sans-serif;display:flex;justify-content:space-between">'
    "<span>{left}</span><span>{right} · "
    '<span class="pageNumber"></span> / <span class="totalPages"></span></span></div>'
)


def write_pdf(
    out_dir: Path,
    verdicts: list[Verdict],
    bundle: Bundle | None,
    score: ScoreResult | None = None,
    run_info: dict[str, Any] | None = None,
    lang: str = "both",
    browser: str | Path | None = None,
) -> Path:
    """Print the evidence pack to out_dir/report.pdf and return its path.

    Screenshots are copied into out_dir/screens/ as for the HTML report, so the PDF's links to
    full screenshots resolve inside the folder. Raises BrowserNotFound when no Chromium is found.
    """
    ctx = report_context(Path(out_dir), verdicts, bundle, score, run_info, lang)
    return print_pdf(ctx, Path(out_dir), browser)


def print_pdf(ctx: ReportContext, out_dir: Path, browser: str | Path | None = None) -> Path:
    """Print the evidence pack of a context built for `out_dir` (the one the HTML report
    used, so crops and screenshot copies are made once)."""
    page_html = out_dir / ".report-print.html"  # beside screens/, so relative links resolve
    page_html.write_text(render_html(ctx), encoding="utf-8")
    footer = FOOTER.format(
        left=html.escape(f"{ctx.store.get('name') or ctx.store.get('url', '')}"[:80]),
        right=html.escape(f"LB/T 10001-2015 · {ctx.run.get('tool', 'b2cect')}"),
    )
    path = out_dir / PDF_NAME
    try:
        run_sync(_print(page_html, path, footer, browser))
    finally:
        page_html.unlink(missing_ok=True)
    return path


async def _print(page_html: Path, path: Path, footer: str, browser: str | Path | None) -> None:
    from playwright.async_api import async_playwright

    info = find_browser(browser)
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=info.executable, headless=True, args=LAUNCH_ARGS
        )
        try:
            page = await chromium.new_page()
            # The report's only script is the filter; nothing here needs the network.
            await page.route("http*://**", lambda route: route.abort())
            await page.goto(page_html.resolve().as_uri(), timeout=PRINT_TIMEOUT_MS)
            await page.emulate_media(media="print")
            await page.pdf(
                path=str(path),
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=footer,
                margin={"top": "12mm", "bottom": "14mm", "left": "10mm", "right": "10mm"},
            )
        finally:
            await chromium.close()
