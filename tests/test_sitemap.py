"""robots.txt and sitemaps as a discovery signal (crawler/sitemap.py).

Parsing and the bounded reading of a store's sitemaps run on bytes and a fake fetch function,
without a browser; one browser test scans a tiny static site whose privacy page is linked from
nowhere and listed only in its (gzipped, indexed) sitemap.
"""

from __future__ import annotations

import gzip
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from b2cect.crawler import sitemap as sm
from b2cect.crawler.bundle import Bundle, BundleWriter
from b2cect.crawler.discovery import candidates_from_html, load_vocabulary
from b2cect.crawler.profile import load_profile
from b2cect.crawler.redact import Redactor
from b2cect.crawler.scan import ScanOptions, run_sync, scan_sync
from b2cect.crawler.session import Crawl

ORIGIN = "http://shop.test"
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(*paths: str, base: str = ORIGIN) -> bytes:
    rows = "".join(f"<url><loc> {base}{p} </loc><lastmod>2024-01-01</lastmod></url>" for p in paths)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>{rows}</urlset>'.encode()


def index(*urls: str) -> bytes:
    rows = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in urls)
    return f"<sitemapindex {NS}>{rows}</sitemapindex>".encode()


# --- robots.txt ----------------------------------------------------------------------------------


def test_robots_sitemap_lines_and_disallow_rules():
    text = """# shop robots
User-agent: *
Disallow: /cart/
Disallow: /checkout   # no robots there
Disallow:
sitemap: https://shop.test/sitemap_index.xml
SITEMAP:/relative-map.xml
Sitemap: https://shop.test/sitemap_index.xml
Sitemap: ftp://shop.test/odd.xml
User-agent: BadBot
Disallow: /
"""
    robots = sm.parse_robots(text, f"{ORIGIN}/robots.txt")
    assert robots.sitemaps == ["https://shop.test/sitemap_index.xml", f"{ORIGIN}/relative-map.xml"]
    assert robots.disallow_count == 3  # the empty Disallow allows everything: not a rule


def test_robots_without_sitemap_lines():
    robots = sm.parse_robots("User-agent: *\nAllow: /\n", f"{ORIGIN}/robots.txt")
    assert robots.sitemaps == [] and robots.disallow_count == 0


# --- sitemap files -------------------------------------------------------------------------------


def test_urlset_locs_in_order_only_from_url_entries():
    data = (
        b'<?xml version="1.0"?><urlset ' + NS.encode() + b' xmlns:image="http://www.google.com/'
        b'schemas/sitemap-image/1.1"><url><loc>http://shop.test/a</loc><image:image>'
        b"<image:loc>http://shop.test/a.jpg</image:loc></image:image></url>"
        b"<url><loc>http://shop.test/b</loc></url>"
        b"<!-- <url><loc>http://x/c</loc></url> --></urlset>"
    )
    parsed = sm.parse_sitemap(data)
    assert (parsed.kind, parsed.locs, parsed.error) == (
        "urlset",
        ["http://shop.test/a", "http://shop.test/b"],
        "",
    )


def test_sitemapindex_and_no_namespace():
    parsed = sm.parse_sitemap(
        b"<sitemapindex><sitemap><loc>http://shop.test/s1.xml</loc></sitemap></sitemapindex>"
    )
    assert parsed.kind == "sitemapindex" and parsed.locs == ["http://shop.test/s1.xml"]


def test_a_cut_file_keeps_the_urls_before_the_cut():
    data = urlset("/a", "/b", "/c")[:-40]
    parsed = sm.parse_sitemap(data)
    assert parsed.kind == "urlset" and parsed.locs[:2] == [f"{ORIGIN}/a", f"{ORIGIN}/b"]


@pytest.mark.parametrize(
    "data, error",
    [
        (b"", "not XML"),
        (b"   \n", "not XML"),
        (b"hello world, no xml here", "not XML"),
        (b'{"urls": ["http://shop.test/a"]}', "not XML"),
        (b"\x00\x01\x02\xff<<<", "not XML"),
        (b"<!DOCTYPE html><html><body><a href='/privacy'>x</a></body></html>", "<html>"),
        (b"<!doctype html><html><body><a href='/privacy'>x</a></body></html>", "not XML"),
        (b"<rss><channel><item><link>http://shop.test/a</link></item></channel></rss>", "<rss>"),
    ],
)
def test_garbage_is_not_a_sitemap(data, error):
    parsed = sm.parse_sitemap(data)
    assert parsed.kind == "" and parsed.locs == [] and error in parsed.error


def test_entities_are_not_expanded():
    data = (
        b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<urlset><url><loc>&e;</loc></url><url><loc>http://shop.test/ok</loc></url></urlset>"
    )
    parsed = sm.parse_sitemap(data)
    assert parsed.locs == ["http://shop.test/ok"]


def test_gzip_is_unpacked_by_its_magic_bytes_and_capped():
    plain = urlset("/a")
    assert sm.gunzip_capped(gzip.compress(plain), 10_000) == (plain, False)
    assert sm.gunzip_capped(plain, 10_000) == (plain, False)  # not gzip: as it is
    assert sm.gunzip_capped(plain, 10) == (plain[:10], True)
    bomb = gzip.compress(b"0" * 5_000_000)  # 5 MB of zeros in a few KB
    out, cut = sm.gunzip_capped(bomb, 100_000)
    assert cut and len(out) == 100_000
    broken = gzip.compress(plain)[:20]
    out, cut = sm.gunzip_capped(broken, 10_000)
    assert cut and len(out) < len(plain)
    assert sm.gunzip_capped(b"\x1f\x8b" + b"garbage" * 5, 10_000) == (b"", True)


# --- reading a store's robots and sitemaps, with a fake fetch ------------------------------------


class FakeStore:
    """Answers fetches from a dict {url: (status, body[, content type])}; records the calls."""

    def __init__(self, files: dict[str, tuple]):
        self.files = files
        self.calls: list[tuple[str, float, int]] = []

    async def fetch(self, url: str, timeout_s: float, max_bytes: int) -> sm.Fetched:
        self.calls.append((url, timeout_s, max_bytes))
        answer = self.files.get(url)
        if answer is None:
            return sm.Fetched(url, 404, b"not found", "text/plain")
        if isinstance(answer, Exception):
            return sm.Fetched(url, error=str(answer))
        status, body, *ctype = answer
        return sm.Fetched(url, status, body[: max_bytes + 1], ctype[0] if ctype else "text/xml")

    def read(self, later=None) -> sm.SitemapReport:
        return run_sync(sm.read_sitemaps(self.fetch, ORIGIN, later))


def test_robots_index_and_gzip_children():
    store = FakeStore(
        {
            f"{ORIGIN}/robots.txt": (
                200,
                b"User-agent: *\nDisallow: /cart\n"
                b"Sitemap: http://shop.test/sitemap_index.xml\n"
                b"Sitemap: http://cdn.example/other.xml\n",
                "text/plain",
            ),
            f"{ORIGIN}/sitemap_index.xml": (
                200,
                index(f"{ORIGIN}/sitemap-products.xml", f"{ORIGIN}/sitemap-pages.xml.gz"),
            ),
            f"{ORIGIN}/sitemap-pages.xml.gz": (
                200,
                gzip.compress(urlset("/privacy", "/help/", "/privacy#top", "/about")),
                "application/gzip",
            ),
            f"{ORIGIN}/sitemap-products.xml": (
                200,
                urlset("/p/1", "/p/2") + b"",
            ),
        }
    )
    report = store.read(later=load_vocabulary().regexes("sitemap_later"))
    assert report.robots_found and report.robots_disallow_count == 1
    fetched = [url for url, *_ in store.calls]
    # The pages sitemap is read before the products one; the other origin is never fetched.
    assert fetched == [
        f"{ORIGIN}/robots.txt",
        f"{ORIGIN}/sitemap_index.xml",
        f"{ORIGIN}/sitemap-pages.xml.gz",
        f"{ORIGIN}/sitemap-products.xml",
    ]
    assert store.calls[0][1:] == (5, 256 * 1024)
    assert all(call[1:] == (5, 2 * 1024 * 1024) for call in store.calls[1:])
    assert report.urls == [f"{ORIGIN}{p}" for p in ("/privacy", "/help/", "/about", "/p/1", "/p/2")]
    rows = {row["url"]: row for row in report.rows}
    assert rows["http://cdn.example/other.xml"]["note"].startswith("other origin")
    assert rows[f"{ORIGIN}/sitemap_index.xml"]["kind"] == "sitemapindex"
    assert rows[f"{ORIGIN}/sitemap-pages.xml.gz"] == {
        "url": f"{ORIGIN}/sitemap-pages.xml.gz",
        "status": 200,
        "kind": "urlset",
        "urls": 3,
        "note": "",
    }
    fact = report.fact("sitemap")
    assert fact["url_count"] == 5 and fact["robots_found"] is True and fact["used_for"] == []


def test_no_robots_falls_back_to_sitemap_xml():
    store = FakeStore({f"{ORIGIN}/sitemap.xml": (200, urlset("/privacy"))})
    report = store.read()
    assert not report.robots_found and report.robots_note == "HTTP 404"
    assert report.urls == [f"{ORIGIN}/privacy"]


def test_single_page_app_shell_is_not_a_robots_file_nor_a_sitemap():
    shell = b"<!DOCTYPE html><html><head><title>Shop</title></head><body></body></html>"
    store = FakeStore(
        {
            f"{ORIGIN}/robots.txt": (200, shell, "text/html"),
            f"{ORIGIN}/sitemap.xml": (200, shell, "text/html"),
        }
    )
    report = store.read()
    assert not report.robots_found and "HTML" in report.robots_note
    assert report.urls == []
    assert report.rows[0]["status"] == 200 and "not a sitemap" in report.rows[0]["note"]


def test_errors_are_recorded_never_raised():
    store = FakeStore(
        {
            f"{ORIGIN}/robots.txt": (200, b"Sitemap: http://shop.test/a.xml\nSitemap: /b.xml\n"),
            f"{ORIGIN}/a.xml": RuntimeError("connection reset"),
            f"{ORIGIN}/b.xml": (500, b"oops"),
        }
    )
    report = store.read()
    assert report.urls == []
    assert [(r["status"], r["note"]) for r in report.rows] == [
        (0, "connection reset"),
        (500, "HTTP 500"),
    ]


def test_caps_on_files_urls_nesting_and_origin():
    children = [f"{ORIGIN}/s{i}.xml" for i in range(8)]
    files: dict[str, tuple] = {
        f"{ORIGIN}/robots.txt": (200, f"Sitemap: {ORIGIN}/index.xml".encode()),
        f"{ORIGIN}/index.xml": (200, index(*children, "http://evil.example/s.xml")),
        # An index inside the index is not followed; its child is never fetched.
        f"{ORIGIN}/s0.xml": (200, index(f"{ORIGIN}/deep.xml")),
        f"{ORIGIN}/s1.xml": (200, urlset(*[f"/a/{i}" for i in range(3000)])),
        f"{ORIGIN}/s2.xml": (200, urlset("/a/1", "/other") + urlset("/x", base="http://evil.x")),
        f"{ORIGIN}/s3.xml": (200, urlset(*[f"/b/{i}" for i in range(3000)])),
    }
    store = FakeStore(files)
    report = store.read()
    fetched = [url for url, *_ in store.calls]
    assert f"{ORIGIN}/deep.xml" not in fetched and "http://evil.example/s.xml" not in fetched
    assert len(fetched) == 1 + sm.MAX_FILES  # robots + 5 sitemap files (the index is one)
    assert len(report.urls) == sm.MAX_URLS == 5000
    assert len(set(report.urls)) == len(report.urls)
    assert all(u.startswith(ORIGIN + "/") for u in report.urls)
    rows = {row["url"]: row for row in report.rows}
    assert rows[f"{ORIGIN}/s0.xml"]["note"] == "index inside an index: not followed"
    assert rows[f"{ORIGIN}/s2.xml"]["urls"] == 1  # /a/1 was already kept; evil.x is not ours
    assert "URL cap" in rows[f"{ORIGIN}/s3.xml"]["note"]
    assert report.not_fetched == 4  # s4..s7
    assert len(report.rows) <= sm.MAX_ROWS


def test_a_huge_sitemap_is_capped_in_bytes():
    big = urlset(*[f"/page/{i}" for i in range(60_000)])  # about 4 MB
    assert len(big) > sm.SITEMAP_MAX_BYTES
    store = FakeStore({f"{ORIGIN}/sitemap.xml": (200, big)})
    report = store.read()
    row = report.rows[0]
    assert row["note"].startswith("cut at 2 MB")
    assert 0 < len(report.urls) <= sm.MAX_URLS


# --- the pool: sitemap URLs fill gaps, page links always win -------------------------------------


class _NoPage:
    url = "about:blank"

    def on(self, *_args):
        pass


def _crawl(tmp_path: Path) -> Crawl:
    return Crawl(
        page=_NoPage(),
        context=None,
        writer=BundleWriter(tmp_path / "b", store={}, tool={}),
        vocab=load_vocabulary(),
        profile=load_profile(None),
        redactor=Redactor(),
        start_url=f"{ORIGIN}/",
    )


HOME = """<html><body><nav><a href="/shop/">All products</a></nav>
<footer><a href="/info/data-protection">Privacy policy</a> <a href="/help/">Help</a></footer>
</body></html>"""


def test_sitemap_urls_fill_gaps_and_never_beat_page_links(tmp_path):
    crawl = _crawl(tmp_path)
    urls = [f"{ORIGIN}{p}" for p in ("/privacy", "/terms-of-service", "/logout", "/goods/7")]
    crawl.add_sitemap_links(sm.sitemap_candidates(urls))
    assert crawl.pool["privacy"].url == f"{ORIGIN}/privacy"
    assert crawl.pool["privacy"].found_by == "sitemap + url pattern /privacy"
    assert crawl.pool["terms"].found_by == "sitemap + url pattern /terms"
    assert "logout" not in {f.url.rsplit("/", 1)[-1] for f in crawl.pool.values()}
    # The home page links the privacy policy under another URL: its text wins over the sitemap.
    crawl._remember_links(candidates_from_html(HOME, f"{ORIGIN}/"))
    assert crawl.pool["privacy"].url == f"{ORIGIN}/info/data-protection"
    assert crawl.pool["privacy"].found_by.startswith("link text")
    assert crawl.pool["terms"].found_by.startswith("sitemap")  # still a gap the sitemap fills
    # A link back to the start page ("Tiny Shop" reads as a listing) is no listing page.
    crawl.add_sitemap_links(sm.sitemap_candidates([f"{ORIGIN}/category/tea"]))
    assert crawl.pool["listing"].url == f"{ORIGIN}/shop/"  # the home page's "All products"
    del crawl.pool["listing"]
    crawl.add_sitemap_links(sm.sitemap_candidates([f"{ORIGIN}/category/tea"]))
    crawl._remember_links(candidates_from_html('<a href="/">Tiny Shop</a>', f"{ORIGIN}/"))
    assert crawl.pool["listing"].url == f"{ORIGIN}/category/tea"
    # Seeding after the pages were read changes nothing they supplied.
    crawl.add_sitemap_links(sm.sitemap_candidates([f"{ORIGIN}/privacy", f"{ORIGIN}/help/faq"]))
    assert crawl.pool["privacy"].found_by.startswith("link text")
    assert crawl.pool["help"].url == f"{ORIGIN}/help/"


def test_products_from_the_sitemap_only_when_no_page_had_one(tmp_path):
    crawl = _crawl(tmp_path)
    crawl.add_sitemap_links(sm.sitemap_candidates([f"{ORIGIN}/goods/7", f"{ORIGIN}/about"]))
    crawl.state["products"] = []
    sm.fill_products(crawl)
    assert [f.url for f in crawl.state["products"]] == [f"{ORIGIN}/goods/7"]
    assert crawl.state["products"][0].found_by.startswith("sitemap + url pattern")
    page_product = load_vocabulary().product_links(
        candidates_from_html('<a href="/goods/9">Kettle</a>', f"{ORIGIN}/"), ORIGIN
    )
    crawl.state["products"] = page_product
    sm.fill_products(crawl)
    assert crawl.state["products"] == page_product


# --- a real scan of a tiny static site -----------------------------------------------------------

PAGE = """<!doctype html><html lang="en"><head><title>{title} | Tiny Shop</title></head><body>
<header><a href="/">Tiny Shop</a></header><main><h1>{title}</h1>{body}</main>
<footer><a href="/help.html">Help</a> <a href="/about.html">About us</a></footer></body></html>"""


@pytest.fixture()
def tiny_site(tmp_path):
    """A static store on loopback whose privacy page no page links to; only the sitemap (an
    index pointing at a gzipped urlset) lists it."""
    root = tmp_path / "site"
    root.mkdir()
    handler = partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    pages = {
        "index.html": ("Home", "<p>Welcome to the tiny shop.</p>"),
        "help.html": ("Help", "<p>Ask us anything.</p>"),
        "about.html": ("About us", "<p>A small shop.</p>"),
        "privacy-policy.html": ("Privacy policy", "<p>We keep your data safe.</p>"),
    }
    for name, (title, body) in pages.items():
        (root / name).write_text(PAGE.format(title=title, body=body), encoding="utf-8")
    (root / "robots.txt").write_text(
        f"User-agent: *\nDisallow: /admin/\nSitemap: {origin}/sitemap_index.xml\n", "utf-8"
    )
    (root / "sitemap_index.xml").write_bytes(index(f"{origin}/sitemap-pages.xml.gz"))
    paths = ("/", "/help.html", "/privacy-policy.html", "/about.html")
    (root / "sitemap-pages.xml.gz").write_bytes(gzip.compress(urlset(*paths, base=origin)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield origin
    server.shutdown()
    server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *_args):
        pass


@pytest.mark.browser
def test_scan_reaches_a_page_only_the_sitemap_lists(tiny_site, tmp_path):
    out = scan_sync(ScanOptions(url=f"{tiny_site}/", out=tmp_path / "bundle", step_timeout_s=10))
    bundle = Bundle(out)
    privacy = bundle.page("privacy")
    assert privacy is not None, bundle.why_not_reached("privacy")
    assert privacy.url == f"{tiny_site}/privacy-policy.html"
    assert privacy.step.found_by == "sitemap + url pattern /privacy"
    # The help page is in the sitemap too, but the footer link's text is what found it.
    help_page = bundle.page("help")
    assert help_page is not None and help_page.step.found_by.startswith("link text")
    fact = bundle.fact("sitemap")
    assert fact["robots_found"] is True and fact["robots_disallow_count"] == 1
    assert [(r["kind"], r["status"], r["urls"]) for r in fact["sitemaps"]] == [
        ("sitemapindex", 200, 1),
        ("urlset", 200, 4),
    ]
    assert fact["url_count"] == 4
    assert "privacy" in fact["used_for"] and "help" not in fact["used_for"]
    assert bundle.steps[0].kind == "sitemap" and bundle.steps[0].status == "ok"
