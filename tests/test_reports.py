"""Reports: four files, every row present, store text escaped in HTML and guarded in sheets."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from b2cect.checks import registry
from b2cect.checks.in_sale import E1_HINT_SEEN
from b2cect.checks.registry import catalogue
from b2cect.checks.scoring import MaturityAnswers, compute_score, load_ratings, maturity_table
from b2cect.checks.verdict import Evidence, Outcome, Verdict
from b2cect.crawler.bundle import Bundle
from b2cect.reports import load_verdicts_json, write_reports
from PIL import Image, ImageDraw

from .casebundle import make_bundle

EVIL = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.test","click")'
PRODUCT_HTML = f"""<html><head><title>Teapot</title></head><body>
<h1 class="product-name">紫砂壶 Teapot {EVIL}</h1>
<div class="price">¥128.00</div>
<table class="spec"><tr><th>产地</th><td>宜兴</td></tr>
<tr><th>厂商</th><td>{FORMULA}</td></tr></table>
</body></html>"""
HOME_HTML = """<html><body><nav><a href="/help">帮助中心</a></nav>
<footer>客服热线 400-800-1234 · 营业执照</footer></body></html>"""


def screenshot(path: Path, height: int = 2400) -> None:
    """A tall fake screenshot: a header bar and some blocks, enough to see a thumbnail."""
    image = Image.new("RGB", (1280, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1280, 90), fill=(31, 95, 174))
    for n in range(8):
        draw.rectangle((60, 140 + n * 120, 1220, 220 + n * 120), outline=(120, 120, 120), width=3)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)


def build_bundle(root: Path) -> Bundle:
    """Home and product pages with screenshots; the store's name is hostile too."""
    (root / "pages").mkdir(parents=True)
    (root / "pages" / "product.html").write_text(PRODUCT_HTML, encoding="utf-8")
    screenshot(root / "screens" / "product.png")
    screenshot(root / "screens" / "home.png", height=900)
    (root / "pages" / "home.html").write_text(HOME_HTML, encoding="utf-8")
    steps = [
        {
            "id": "home",
            "kind": "home",
            "url": "http://shop.test/",
            "html": "pages/home.html",
            "screenshot": "screens/home.png",
            "found_by": "start URL",
            "timings": {"ttfb": 40, "dom_content_loaded": 200, "load": 310},
        },
        {
            "id": "product",
            "kind": "product",
            "url": "http://shop.test/p/1",
            "html": "pages/product.html",
            "screenshot": "screens/product.png",
            "found_by": "link text '紫砂壶'",
            "confidence": 0.9,
        },
        {
            "id": "orders",
            "kind": "orders",
            "status": "blocked",
            "error": "no credentials in B2CECT_LOGIN_USER/B2CECT_LOGIN_PASSWORD",
        },
    ]
    return make_bundle(
        root,
        steps=steps,
        store={"name": f"茶具商城 {EVIL}"},
        facts={"timings": {"median_load_ms": 310, "max_load_ms": 310}},
    )


def hand_verdicts() -> list[Verdict]:
    """One verdict per item, mixing outcomes; hostile store text in excerpts and reasons."""
    cycle = [
        Outcome.PASS,
        Outcome.FAIL,
        Outcome.NEEDS_REVIEW,
        Outcome.NOT_APPLICABLE,
        Outcome.ERROR,
    ]
    verdicts = []
    for n, cid in enumerate(catalogue()):
        evidence = [
            Evidence(
                "product",
                "product",
                "http://shop.test/p/1",
                "h1.product-name",
                f"紫砂壶 Teapot {EVIL}",
                note="product name as shown",
            )
        ]
        verdicts.append(
            Verdict(
                cid,
                cycle[n % len(cycle)],
                f"seen on the product page ({n})",
                evidence,
                hints=[f"hint {EVIL}"],
            )
        )
    verdicts[0].reason = FORMULA  # a reason quoting store text that looks like a formula
    verdicts[1].evidence = [
        Evidence(
            "home",
            "home",
            "javascript:alert(2)",
            "footer",
            "-1+1 热线",
            screenshot="../../outside.png",
        )
    ]
    verdicts[2].evidence[0] = Evidence("product", "product", excerpt="bell\x07 in the text")
    return verdicts


def machine_verdicts(bundle: Bundle) -> list[Verdict] | None:
    """The real checks' verdicts when every section module is in place, else None."""
    try:
        registry.checks()
    except (ImportError, RuntimeError):
        return None
    return registry.run(bundle)


@pytest.fixture()
def written(tmp_path: Path) -> tuple[dict[str, Path], list[Verdict], Bundle]:
    bundle = build_bundle(tmp_path / "bundle")
    verdicts = hand_verdicts()
    paths = write_reports(
        tmp_path / "report", verdicts, bundle, compute_score(verdicts), {"command": "audit bundle"}
    )
    return paths, verdicts, bundle


def test_all_four_files_are_written(written) -> None:
    paths, _, _ = written
    assert set(paths) == {"html", "xlsx", "csv", "json"}
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths.values())
    assert {p.name for p in paths.values()} == {
        "report.html",
        "report.xlsx",
        "report.csv",
        "report.json",
    }


def test_html_escapes_store_text(written) -> None:
    paths, _, _ = written
    html = paths["html"].read_text(encoding="utf-8")
    # one script only, the outcome filter, and no store text in it
    assert html.lower().count("<script") == 1
    script = html[html.index("<script>") : html.index("</script>")]
    assert "alert" not in script and "shop.test" not in script
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html  # a hostile URL stays text


def test_html_shows_score_coverage_and_default_notice(written) -> None:
    paths, verdicts, _ = written
    html = paths["html"].read_text(encoding="utf-8")
    score = compute_score(verdicts)
    assert f"{score.final_min:.2f}–{score.final_max:.2f}" in html
    assert f'{score.coverage_decided} <span class="of">/ {score.coverage_total}' in html
    assert 'id="default-points"' in html and "not the official values" in html
    assert "Not assessed" in html  # no maturity answers given
    assert "intact" in html


def test_html_embeds_thumbnails_linking_to_copied_screenshots(written) -> None:
    paths, _, bundle = written
    html = paths["html"].read_text(encoding="utf-8")
    assert html.count('.shot-0 { background-image: url("data:image/jpeg;base64,') == 1
    assert html.count('class="thumb shot-0"') == len(catalogue()) - 1  # one cites no shot
    # the full screenshot is copied into the report folder, which then stands alone
    assert 'href="screens/product.png"' in html
    copy = paths["html"].parent / "screens" / "product.png"
    assert copy.read_bytes() == (bundle.root / "screens" / "product.png").read_bytes()
    assert "outside.png" not in html  # evidence pointing out of the bundle is not linked
    assert not (paths["html"].parent / "screens" / "outside.png").exists()


def test_csv_has_one_row_per_verdict_and_guards_formulas(written) -> None:
    paths, verdicts, _ = written
    with paths["csv"].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(verdicts) == 84
    assert [r["id"] for r in rows] == [v.clause_id for v in verdicts]
    by_id = {r["id"]: r for r in rows}
    assert by_id["6.1.1.a"]["reason"] == "'" + FORMULA
    assert by_id["6.1.1.b"]["evidence_excerpt"] == "'-1+1 热线"
    assert all(not r[c].startswith(("=", "+", "-", "@")) for r in rows for c in r)
    assert EVIL in by_id["6.1.1.d"]["evidence_excerpt"]  # text kept, only formulas guarded


def read_workbook(path: Path) -> dict[str, pd.DataFrame]:
    """The workbook's sheets with plain column keys ("reason / 理由" -> "reason")."""
    sheets = pd.read_excel(path, sheet_name=None)
    for frame in sheets.values():
        frame.columns = [str(c).split(" / ")[0] for c in frame.columns]
    return sheets


def test_xlsx_sheets_rows_and_guard(written) -> None:
    paths, verdicts, _ = written
    sheets = read_workbook(paths["xlsx"])
    assert list(sheets)[:5] == ["Summary", "Items", "Evidence", "Vetoes", "Annex A"]
    items = sheets["Items"]
    assert len(items) == len(verdicts)
    assert items.loc[items["id"] == "6.1.1.a", "reason"].item() == "'" + FORMULA
    text_cells = [v for f in sheets.values() for v in f.to_numpy().ravel() if isinstance(v, str)]
    assert not any(v.startswith(("=", "+", "-", "@")) for v in text_cells)
    # a control character openpyxl cannot store is dropped, the rest of the text kept
    evidence = sheets["Evidence"]
    assert evidence.loc[evidence["id"] == "6.1.1.c", "excerpt"].item() == "bell in the text"
    reach = sheets["Reach"]
    # The case bundle's pages, plus the places a full journey searched and found absent.
    assert {"home", "product", "orders"} <= set(reach["kind"])
    assert set(reach.loc[~reach["kind"].isin(["home", "product", "orders"]), "status"]) == {
        "blocked"
    }
    assert reach.loc[reach["kind"] == "orders", "status"].item() == "blocked"


def test_xlsx_is_a_workbook_to_file(written) -> None:
    """Numbers as numbers, machine and final outcome, one row per evidence with a link to the
    copied screenshot, every veto and Annex A row, and pages that print."""
    from openpyxl import load_workbook

    paths, verdicts, _ = written
    sheets = read_workbook(paths["xlsx"])
    summary = dict(zip(sheets["Summary"]["field"], sheets["Summary"]["value"], strict=True))
    score = compute_score(verdicts)
    assert summary["final score at most"] == pytest.approx(round(score.final_max, 2))
    assert summary["items fail (machine)"] == sum(v.outcome is Outcome.FAIL for v in verdicts)
    assert summary["points file"].endswith("points_default.csv")
    assert summary["ratings file"] == "none"
    items = sheets["Items"].set_index("id")
    assert {"outcome", "final_outcome", "auditor_level", "alpha", "note", "reason_zh"} <= set(
        items.columns
    )
    experience_pass = next(
        v.clause_id
        for v in verdicts
        if v.outcome is Outcome.PASS and catalogue()[v.clause_id].scoring == "experience"
    )
    assert items.loc[experience_pass, "final_outcome"] == "unrated"
    evidence = sheets["Evidence"]
    assert len(evidence) == sum(len(v.evidence) for v in verdicts)
    assert sorted(sheets["Vetoes"]["key"]) == sorted(
        [f"E{n}" for n in range(1, 5)] + [f"M{n}" for n in range(1, 6)]
    )
    assert len(sheets["Annex A"]) == len(maturity_table())
    book = load_workbook(paths["xlsx"])
    assert book.sheetnames[0] == "Summary"
    final_max = next(
        row[1]
        for row in book["Summary"].iter_rows(values_only=True)
        if row[0] == "final score at most"
    )
    assert isinstance(final_max, int | float)  # stored as a number, not text
    sheet = book["Evidence"]
    links = [c.hyperlink.target for c in sheet["I"][1:] if c.hyperlink]
    assert "screens/product.png" in links
    assert (paths["xlsx"].parent / "screens" / "product.png").is_file()
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
        assert ws.print_title_rows == "$1:$1"  # the header row repeats on every page
        assert ws["A2"].alignment.wrap_text


def test_json_round_trips_verdicts(written) -> None:
    paths, verdicts, _ = written
    loaded = load_verdicts_json(paths["json"])
    assert [v.to_dict() for v in loaded] == [v.to_dict() for v in verdicts]
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["schema"] == "b2cect-report" and data["schema_version"] == 1
    assert data["score"]["points_are_default"] is True
    assert data["verdicts"][0]["title_zh"] == catalogue()["6.1.1.a"].title_zh
    assert data["store"]["name"].endswith(EVIL)
    assert data["run"]["integrity"] == []


def test_load_verdicts_json_refuses_other_files(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"schema": "something-else"}', encoding="utf-8")
    with pytest.raises(ValueError, match="not a b2cect-report"):
        load_verdicts_json(path)


def test_integrity_problems_are_reported(tmp_path: Path) -> None:
    bundle = build_bundle(tmp_path / "bundle")
    (bundle.root / "pages" / "product.html").write_text("changed", encoding="utf-8")
    paths = write_reports(tmp_path / "report", hand_verdicts(), bundle)
    html = paths["html"].read_text(encoding="utf-8")
    assert "altered: pages/product.html" in html and "1 problem(s)" in html


def test_annex_a_section_when_assessed(tmp_path: Path) -> None:
    bundle = build_bundle(tmp_path / "bundle")
    verdicts = hand_verdicts()
    levels = {row.key: 5 for row in maturity_table()}
    answers = MaturityAnswers(levels, {f"M{n}": False for n in range(1, 6)})
    paths = write_reports(
        tmp_path / "r", verdicts, bundle, compute_score(verdicts, maturity=answers)
    )
    html = paths["html"].read_text(encoding="utf-8")
    assert "Not assessed" not in html and "grade 5" in html
    assert "Annex A" in pd.read_excel(paths["xlsx"], sheet_name=None)


def test_auditor_ratings_show_in_report(tmp_path: Path) -> None:
    bundle = build_bundle(tmp_path / "bundle")
    verdicts = [Verdict(cid, Outcome.PASS, "ok", [Evidence("home", "home")]) for cid in catalogue()]
    payment = next(v for v in verdicts if v.clause_id == "6.2.5.2")
    payment.hints.append(f"{E1_HINT_SEEN}: 支付密码")  # as the real check says it (veto E1)
    rating_file = tmp_path / "ratings.yaml"
    experience = [i.id for i in catalogue().values() if i.scoring == "experience"]
    rating_file.write_text(
        "items:\n"
        + "".join(f"  '{c}': {{alpha: 1}}\n" for c in experience)
        + "veto: {E2: false, E3: false, E4: false}\n",
        encoding="utf-8",
    )
    score = compute_score(verdicts, ratings=load_ratings(rating_file))
    paths = write_reports(tmp_path / "r", verdicts, bundle, score)
    html = paths["html"].read_text(encoding="utf-8")
    assert 'Final score <span class="zh" lang="zh-CN">最终得分</span></div>' in html
    assert "100.00" in html
    assert pd.read_csv(paths["csv"])["contribution"].sum() == pytest.approx(100)


def test_reports_from_the_real_checks(tmp_path: Path) -> None:
    bundle = build_bundle(tmp_path / "bundle")
    verdicts = machine_verdicts(bundle)
    if verdicts is None:
        pytest.skip("not every section module is in place yet")
    paths = write_reports(tmp_path / "report", verdicts, bundle, compute_score(verdicts))
    assert len(pd.read_csv(paths["csv"])) == len(verdicts) == 84
    html = paths["html"].read_text(encoding="utf-8")
    assert html.lower().count("<script") == 1  # the outcome filter only
    assert "&lt;script&gt;" in html  # at least the store name


@pytest.mark.browser
def test_report_in_browser(written, page) -> None:
    paths, verdicts, _ = written
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(paths["html"].resolve().as_uri())
    score = compute_score(verdicts)
    assert f"{score.final_min:.2f}–{score.final_max:.2f}" in page.inner_text("#final-score")
    if_no_veto = f"{score.decided_score:.2f}–{score.decided_score + score.undecided_points:.2f}"
    assert if_no_veto in page.inner_text("#range-if-no-veto")
    assert EVIL in page.inner_text("#store-name")  # shown as text
    assert EVIL in page.inner_text("#item-6\\.1\\.1\\.d")
    assert page.locator("script").count() == 1  # the outcome filter
    thumb = page.locator("#item-6\\.1\\.1\\.d .thumb")
    assert thumb.evaluate("e => getComputedStyle(e).backgroundImage").startswith(
        'url("data:image/jpeg;base64,'
    )
    assert thumb.bounding_box()["height"] > 50
    assert dialogs == []
