"""The report an auditor hands in: findings first, final outcomes, every evidence entry with
crops, both languages, the manifest's SHA-256, and an evidence pack that prints short."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from b2cect.checks.registry import catalogue
from b2cect.checks.scoring import compute_score, load_ratings
from b2cect.checks.verdict import Evidence, Outcome, Verdict
from b2cect.crawler.bundle import Bundle
from b2cect.reports import write_reports
from b2cect.reports.context import FINDINGS, final_outcome
from bs4 import BeautifulSoup
from PIL import Image, ImageDraw

from .casebundle import make_bundle
from .test_reports import build_bundle, hand_verdicts

SAVED = Path(__file__).resolve().parents[1] / "fixtures" / "bundles"
RED = (220, 20, 20)
BOX = (300, 1500, 400, 60)  # x, y, w, h of the product name on the page, in CSS px


def boxed_bundle(root: Path) -> Bundle:
    """A product page saved with element boxes, and a screenshot with a red block at the box."""
    html = (
        '<html data-b2cect-dpr="1"><body><main data-b2cect-box="0,0,1280,2400">'
        f'<h1 class="name" data-b2cect-box="{",".join(map(str, BOX))}">Teapot <b>紫砂壶</b></h1>'
        "<p>no box here</p></main></body></html>"
    )
    shot = Image.new("RGB", (1280, 2400), "white")
    x, y, w, h = BOX
    ImageDraw.Draw(shot).rectangle((x, y, x + w, y + h), fill=RED)
    (root / "screens").mkdir(parents=True)
    shot.save(root / "screens" / "product.jpg", quality=95)
    (root / "pages").mkdir()
    (root / "pages" / "product.html").write_text(html, encoding="utf-8")
    step = {
        "id": "product",
        "kind": "product",
        "url": "http://shop.test/p/1",
        "html": "pages/product.html",
        "screenshot": "screens/product.jpg",
    }
    return make_bundle(root, steps=[step], store={"name": "M&amp;S"})


def data_uri_image(html: str, css_class: str) -> Image.Image:
    match = re.search(
        rf"\.{css_class} {{ background-image: url\(\"data:image/jpeg;base64,([^\"]+)", html
    )
    assert match, f"no embedded image for {css_class}"
    return Image.open(io.BytesIO(base64.b64decode(match.group(1)))).convert("RGB")


def near(colour: tuple[int, ...], want: tuple[int, ...], slack: int = 40) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(colour, want, strict=True))


def test_findings_table_lists_what_the_auditor_must_act_on(tmp_path: Path) -> None:
    verdicts = hand_verdicts()
    score = compute_score(verdicts)
    paths = write_reports(tmp_path / "r", verdicts, build_bundle(tmp_path / "b"), score)
    soup = BeautifulSoup(paths["html"].read_text(encoding="utf-8"), "lxml")
    findings = soup.select("#findings-table tbody tr")
    items, scores = catalogue(), {s.clause_id: s for s in score.items}
    want = {
        v.clause_id
        for v in verdicts
        if final_outcome(v, items[v.clause_id], scores.get(v.clause_id)) in FINDINGS
    }
    assert {row.select_one("td.id a").text for row in findings} == want
    assert len(findings) == len(want) < len(verdicts)
    for row in findings:  # each links to its row further down
        target = row.select_one("td.id a")["href"]
        assert soup.find(id=target[1:]) is not None
    # failures first
    finals = [row["data-final"] for row in findings]
    assert finals == sorted(finals, key=["fail", "needs_review", "unrated", "error"].index)
    # the findings come before the score in the page
    text = str(soup)
    assert text.index('id="findings"') < text.index('id="score"')


def test_final_outcome_after_ratings_with_the_machines_beside(tmp_path: Path) -> None:
    objective = next(i.id for i in catalogue().values() if i.scoring == "objective")
    experience = next(i.id for i in catalogue().values() if i.scoring == "experience")
    verdicts = [
        Verdict(cid, Outcome.FAIL if cid == objective else Outcome.PASS, "seen", [Evidence("x")])
        for cid in catalogue()
    ]
    ratings = tmp_path / "ratings.csv"
    ratings.write_text(
        f"id,level,alpha,answer,note\n{objective},,,pass,seen by hand\n{experience},4,,,\n",
        encoding="utf-8",
    )
    score = compute_score(verdicts, ratings=load_ratings(ratings))
    paths = write_reports(tmp_path / "r", verdicts, None, score)
    soup = BeautifulSoup(paths["html"].read_text(encoding="utf-8"), "lxml")
    overridden = soup.find(id=f"item-{objective}")
    assert overridden["data-final"] == "pass"
    assert "b-pass" in overridden.select("td")[2].select_one(".badge")["class"]
    assert "fail" in overridden.select_one(".machine").text  # the machine's outcome beside
    assert soup.find(id=f"item-{experience}")["data-final"] == "rated"
    unrated = next(
        i.id for i in catalogue().values() if i.scoring == "experience" and i.id != experience
    )
    assert soup.find(id=f"item-{unrated}")["data-final"] == "unrated"
    listed = {a.text for a in soup.select("#findings-table td.id a")}
    assert objective not in listed and experience not in listed and unrated in listed
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    by_id = {v["clause_id"]: v for v in data["verdicts"]}
    assert (by_id[objective]["outcome"], by_id[objective]["final_outcome"]) == ("fail", "pass")


def test_every_evidence_entry_is_shown(tmp_path: Path) -> None:
    evidence = [Evidence("product", "product", note=f"place {n}") for n in range(9)]
    verdicts = [Verdict("6.1.3.a", Outcome.FAIL, "seen", evidence)]
    paths = write_reports(tmp_path / "r", verdicts, build_bundle(tmp_path / "b"))
    soup = BeautifulSoup(paths["html"].read_text(encoding="utf-8"), "lxml")
    shown = soup.select("#item-6\\.1\\.3\\.a ul.evidence > li")
    assert [li.select_one(".ev-text .small.muted").text.split()[:2] for li in shown] == [
        ["place", str(n)] for n in range(9)
    ]
    assert "more in report.json" not in paths["html"].read_text(encoding="utf-8")


def test_crop_around_the_evidence_selector(tmp_path: Path) -> None:
    bundle = boxed_bundle(tmp_path / "b")
    verdicts = [
        Verdict("6.1.3.a", Outcome.FAIL, "seen", [Evidence("product", "product", selector="h1")]),
        Verdict("6.1.3.b", Outcome.FAIL, "seen", [Evidence("product", "product", selector="b")]),
        Verdict("6.1.3.c", Outcome.FAIL, "seen", [Evidence("product", "product", selector="p")]),
        Verdict("6.1.3.d", Outcome.FAIL, "seen", [Evidence("product", "product", selector="nav")]),
    ]
    html = write_reports(tmp_path / "r", verdicts, bundle)["html"].read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "lxml")
    crop = soup.select_one("#item-6\\.1\\.3\\.a span.crop")
    css = next(c for c in crop["class"] if c.startswith("crop-"))
    image = data_uri_image(html, css)
    # the element sits in the middle of the crop, with a white margin around it
    assert near(image.getpixel((image.width // 2, image.height // 2)), RED)
    assert near(image.getpixel((2, 2)), (255, 255, 255))
    # an element without a box of its own is cropped by its nearest boxed ancestor
    inner = soup.select_one("#item-6\\.1\\.3\\.b span.crop")
    assert inner is not None and inner["class"] == crop["class"]
    # the <p> sits in <main>, whose box is the whole page: a crop from the top-left
    assert soup.select_one("#item-6\\.1\\.3\\.c span.crop") is not None
    # a selector matching nothing gives no crop, only the page-top thumbnail
    row = soup.select_one("#item-6\\.1\\.3\\.d")
    assert row.select_one("span.crop") is None and row.select_one("span.thumb") is not None


def test_bundle_without_boxes_shows_no_crop(tmp_path: Path) -> None:
    from b2cect import pipeline

    # A bundle saved before element boxes were recorded: the saved one, boxes taken out.
    bundle = shutil.copytree(SAVED / "noncompliant", tmp_path / "old-bundle")
    for page in (bundle / "pages").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        page.write_text(re.sub(r' data-b2cect-box="[^"]*"', "", text), encoding="utf-8")
    result = pipeline.audit(bundle)
    paths = write_reports(tmp_path / "r", result.verdicts, result.bundle, result.score)
    html = paths["html"].read_text(encoding="utf-8")
    assert "data-b2cect-box" not in (bundle / "pages" / "home.html").read_text(encoding="utf-8")
    assert 'class="crop ' not in html
    assert "thumb shot-" in html  # page-top thumbnails still there


def test_store_name_is_escaped_once_and_manifest_sha256_shown(tmp_path: Path) -> None:
    bundle = boxed_bundle(tmp_path / "b")  # its manifest holds "M&amp;S", as read from markup
    paths = write_reports(tmp_path / "r", [], bundle)
    html = paths["html"].read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "lxml")
    assert soup.select_one("#store-name").text == "M&S"
    assert "&amp;amp;" not in html
    digest = hashlib.sha256((bundle.root / "manifest.json").read_bytes()).hexdigest()
    assert soup.select_one("#manifest-sha256").text == digest
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["run"]["manifest_sha256"] == digest


@pytest.mark.parametrize(
    "lang,html_lang,english,chinese",
    [("en", "en", True, False), ("zh", "zh-CN", False, True), ("both", "zh-CN", True, True)],
)
def test_languages(tmp_path: Path, lang: str, html_lang: str, english: bool, chinese: bool) -> None:
    reason = "No statement that chosen items are reserved (or for how long)."
    verdicts = [Verdict("6.2.1.3", Outcome.FAIL, reason, [Evidence("product", "product")])]
    paths = write_reports(tmp_path / "r", verdicts, build_bundle(tmp_path / "b"), lang=lang)
    html = paths["html"].read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "lxml")
    assert soup.html["lang"] == html_lang
    finding = soup.select_one("#item-6\\.2\\.1\\.3").select("td")[4].text
    assert (reason in finding) is english
    assert ("未说明所选商品是否保留（或保留多久）。" in finding) is chinese
    assert ("Findings" in soup.select_one("#findings h2").text) is english
    assert ("审核发现" in soup.select_one("#findings h2").text) is chinese
    veto = soup.select_one("#veto").text
    assert ("无支付安全措施" in veto) is chinese
    assert ("No payment security" in veto) is english
    import pandas as pd

    headers = list(pd.read_excel(paths["xlsx"], sheet_name="Items").columns)
    assert ("reason_zh" in " ".join(headers)) is (lang != "zh")
    assert ("理由" in " ".join(headers)) is chinese
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["verdicts"][0]["reason_zh"] == "未说明所选商品是否保留（或保留多久）。"


def test_bad_language_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="lang"):
        write_reports(tmp_path / "r", [], None, lang="fr")


# --- in Chromium -----------------------------------------------------------------------------
@pytest.mark.browser
def test_filter_and_layout_at_1280px(tmp_path: Path, page) -> None:
    from b2cect import pipeline

    result = pipeline.audit(SAVED / "noncompliant")
    paths = write_reports(tmp_path / "r", result.verdicts, result.bundle, result.score)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(paths["html"].resolve().as_uri())
    # no cell spills into its neighbour: each cell's content fits its box
    spills = page.evaluate(
        """() => [...document.querySelectorAll('table td')]
            .filter(td => td.offsetParent && td.scrollWidth > td.clientWidth + 1)
            .map(td => td.closest('tr').id + ': ' + td.textContent.slice(0, 40))"""
    )
    assert spills == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    rows = page.locator("table.items tbody tr")
    total = rows.count()
    page.click("#outcome-filter button[data-show='fail']")
    visible = page.locator("table.items tbody tr:visible")
    fails = sum(v.outcome is Outcome.FAIL for v in result.verdicts)
    assert 0 < visible.count() <= fails < total
    assert set(visible.evaluate_all("rows => rows.map(r => r.dataset.final)")) == {"fail"}
    page.click("#outcome-filter button[data-show='all']")
    assert page.locator("table.items tbody tr:visible").count() == total


def pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-z])", path.read_bytes()))


@pytest.mark.browser
def test_pdf_evidence_pack(tmp_path: Path) -> None:
    from b2cect.reports.pdf import write_pdf

    from b2cect import pipeline

    result = pipeline.audit(SAVED / "noncompliant")
    path = write_pdf(tmp_path / "r", result.verdicts, result.bundle, result.score)
    assert path.name == "report.pdf" and path.read_bytes().startswith(b"%PDF")
    # 44 failed items with their evidence print in a short pack, not the ~49 pages of before
    assert 3 <= pdf_pages(path) <= 20
    assert not (tmp_path / "r" / ".report-print.html").exists()
    assert (tmp_path / "r" / "screens").is_dir()  # the pack's screenshot links resolve


def test_store_name_from_og_site_name_is_plain_text(tmp_path: Path) -> None:
    from b2cect.crawler.scan import _store_name

    page = tmp_path / "home.html"
    page.write_text(
        '<html><head><meta property="og:site_name" content="M&amp;S &lt;Food&gt;"></head></html>',
        encoding="utf-8",
    )
    assert _store_name(page, "Home") == "M&S <Food>"


@pytest.mark.browser
def test_scan_saves_element_boxes_and_the_report_crops_failures(demo_scan) -> None:
    scan = demo_scan("noncompliant")
    product = scan.bundle.page("product")
    assert product is not None
    saved = product.html
    boxes = re.findall(r'data-b2cect-box="(\d+),(\d+),(\d+),(\d+)"', saved)
    assert 20 < len(boxes) <= 4000  # bounded
    assert all(int(w) > 0 and int(h) > 0 and int(y) <= 4000 for _, y, w, h in boxes)
    report = scan.out / "report"
    soup = BeautifulSoup((report / "report.html").read_text(encoding="utf-8"), "lxml")
    cropped = {
        row["data-final"]
        for row in soup.select("#findings-table tbody tr")
        if row.select_one(".crop")
    }
    assert "fail" in cropped
    for link in soup.select("a[href^='screens/']"):
        assert (report / link["href"]).is_file()  # the folder stands alone


@pytest.mark.browser
def test_audit_with_pdf_and_language_flags(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from b2cect.cli import main

    args = ["audit", str(SAVED / "noncompliant"), "--out", str(tmp_path / "rep"), "--lang", "en"]
    args.append("--pdf")
    out = tmp_path / "rep" / "report"  # --out DIR: the report goes in DIR/report/
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output  # the noncompliant seller fails items
    assert f"evidence pack: {out / 'report.pdf'}" in result.output
    assert "Annex A: not assessed" in result.output and "ratings: none" in result.output
    assert pdf_pages(out / "report.pdf") >= 3
    soup = BeautifulSoup((out / "report.html").read_text(encoding="utf-8"), "lxml")
    assert soup.html["lang"] == "en" and "审核发现" not in soup.text
