"""robots.txt and sitemaps as a discovery signal: pages a store lists but links from nowhere.

At the start of a scan (and of `b2cect discover`) the crawler reads the store's own
`/robots.txt`, follows its `Sitemap:` lines (or tries `/sitemap.xml` when there are none) and
keeps the page URLs the sitemaps list. They become link candidates without text
(`Crawl.add_sitemap_links`), scored by `Vocabulary.score` on their URL alone, so they only fill
gaps: a link seen on a page always replaces one from a sitemap.

Everything is bounded (store content is hostile): same origin only, a few seconds and a size cap
per file, one level of sitemap index, at most MAX_FILES sitemap files and MAX_URLS URLs. Nothing
here can fail a scan: a missing, broken or non-XML file is a row in the `sitemap` fact.

The parsers (`parse_robots`, `parse_sitemap`, `gunzip_capped`) and `read_sitemaps` take plain
bytes and a fetch function, so they are tested without a browser.
"""

from __future__ import annotations

import asyncio
import re
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from .bundle import Step
from .discovery import SITEMAP_REGION, Candidate, Found, same_origin
from .session import Crawl

ROBOTS_TIMEOUT_S = 5
ROBOTS_MAX_BYTES = 256 * 1024
SITEMAP_TIMEOUT_S = 5
SITEMAP_MAX_BYTES = 2 * 1024 * 1024
MAX_FILES = 5  # sitemap files fetched (an index counts as one)
MAX_URLS = 5000  # page URLs kept from all sitemaps together
MAX_REDIRECTS = 3  # followed by hand, and only inside the store's origin
MAX_ROWS = 20  # rows in the fact (files fetched plus sitemaps left out, e.g. other origins)
_REDIRECTS = (301, 302, 303, 307, 308)
_GZIP_MAGIC = b"\x1f\x8b"


# --- parsing (no network) ------------------------------------------------------------------------


@dataclass
class RobotsFile:
    sitemaps: list[str]  # absolute URLs from `Sitemap:` lines, in file order, no duplicates
    disallow_count: int  # non-empty `Disallow:` rules, all user agents together


_ROBOTS_LINE = re.compile(r"^\s*([A-Za-z-]+)\s*:\s*(.*?)\s*$")


def parse_robots(text: str, robots_url: str) -> RobotsFile:
    """The `Sitemap:` lines and the number of `Disallow:` rules of a robots.txt."""
    sitemaps: list[str] = []
    disallow = 0
    for line in text.splitlines():
        m = _ROBOTS_LINE.match(line.split("#", 1)[0])
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2)
        if key == "sitemap" and value:
            url = urljoin(robots_url, value)  # the standard wants absolute URLs; be lenient
            if url.startswith(("http://", "https://")) and url not in sitemaps:
                sitemaps.append(url)
        elif key == "disallow" and value:
            disallow += 1
    return RobotsFile(sitemaps, disallow)


def looks_like_html(body: bytes, content_type: str = "") -> bool:
    """A single-page app answers every path, /robots.txt included, with its HTML shell."""
    head = body[:512].lstrip().lower()
    return "html" in content_type.lower() or head.startswith((b"<!doctype html", b"<html"))


def gunzip_capped(data: bytes, limit: int) -> tuple[bytes, bool]:
    """Data as stored, gunzipped when it is gzip (by its magic bytes, whatever the URL says),
    never more than `limit` bytes out (a small .gz can unpack to gigabytes). Returns (bytes,
    cut): cut is True when the output was capped or the gzip stream was broken."""
    if not data.startswith(_GZIP_MAGIC):
        return data[:limit], len(data) > limit
    unpack = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = unpack.decompress(data, limit)
    except zlib.error:
        return b"", True
    return out, bool(unpack.unconsumed_tail) or not unpack.eof


@dataclass
class SitemapFile:
    kind: str  # "urlset", "sitemapindex", or "" when the file is not a sitemap
    locs: list[str]  # <loc> of each <url> (urlset) or <sitemap> (index), in file order
    error: str = ""


# recover=True keeps the URLs before the cut of a capped file; no entities, DTDs or network.
_XML_PARSER = etree.XMLParser(
    recover=True,
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)


def parse_sitemap(data: bytes, max_locs: int = MAX_URLS) -> SitemapFile:
    """A sitemap's <loc> values (urlset or sitemapindex, any namespace), at most max_locs."""
    try:
        root = etree.fromstring(data, _XML_PARSER) if data.strip() else None
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        return SitemapFile("", [], "not XML")
    kind = etree.QName(root).localname.lower()
    if kind not in ("urlset", "sitemapindex"):
        return SitemapFile("", [], f"not a sitemap (root element <{kind[:30]}>)")
    entry = "url" if kind == "urlset" else "sitemap"
    locs: list[str] = []
    for el in root.iter(etree.Element):
        if len(locs) >= max_locs:
            break
        parent = el.getparent()
        if (
            etree.QName(el).localname == "loc"
            and parent is not None
            and etree.QName(parent).localname == entry
            and el.text
            and el.text.strip()
        ):
            locs.append(el.text.strip())
    return SitemapFile(kind, locs)


# --- fetching ------------------------------------------------------------------------------------


@dataclass
class Fetched:
    url: str  # the URL asked for
    status: int = 0  # HTTP status of the last answer; 0 when there was none
    body: bytes = b""
    content_type: str = ""
    error: str = ""  # plain words; "" when a body was read


Fetch = Callable[[str, float, int], Awaitable[Fetched]]


def request_fetcher(request: Any, origin: str) -> Fetch:
    """A fetch function over a Playwright APIRequestContext (the browser context's
    `context.request`): bounded in time and size; redirects followed only inside the origin."""

    async def fetch(url: str, timeout_s: float, max_bytes: int) -> Fetched:
        try:
            got = _get(request, origin, url, timeout_s, max_bytes)
            return await asyncio.wait_for(got, timeout_s)
        except TimeoutError:
            return Fetched(url, error=f"timed out after {timeout_s:g} s")
        except Exception as exc:  # noqa: BLE001 - refused, reset, DNS: recorded, never fatal
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return Fetched(url, error=text[:160])

    async def _get(
        request: Any, origin: str, url: str, timeout_s: float, max_bytes: int
    ) -> Fetched:
        asked = url
        for _ in range(MAX_REDIRECTS + 1):
            resp = await request.get(
                url, timeout=timeout_s * 1000, max_redirects=0, fail_on_status_code=False
            )
            headers = {k.lower(): v for k, v in resp.headers.items()}
            if resp.status in _REDIRECTS and headers.get("location"):
                await resp.dispose()
                url = urljoin(url, headers["location"])
                if not same_origin(url, origin):
                    return Fetched(asked, resp.status, error="redirected to another origin")
                continue
            length = headers.get("content-length", "")
            if length.isdigit() and int(length) > max_bytes:
                await resp.dispose()
                return Fetched(asked, resp.status, error=f"larger than {max_bytes // 1024} KB")
            body = (await resp.body())[: max_bytes + 1]  # one byte over: the reader sees the cut
            await resp.dispose()
            return Fetched(asked, resp.status, body, headers.get("content-type", ""))
        return Fetched(asked, error=f"more than {MAX_REDIRECTS} redirects")

    return fetch


# --- reading a store's robots.txt and sitemaps ---------------------------------------------------


@dataclass
class SitemapReport:
    """What `read_sitemaps` found: the `sitemap` fact's data and the page URLs kept."""

    robots_found: bool = False
    robots_note: str = ""
    robots_disallow_count: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)
    not_fetched: int = 0  # same-origin sitemaps left out by the MAX_FILES cap
    urls: list[str] = field(default_factory=list)

    def fact(self, step: str) -> dict[str, Any]:
        return {
            "step": step,
            "robots_found": self.robots_found,
            "robots_note": self.robots_note,
            "robots_disallow_count": self.robots_disallow_count,
            "sitemaps": self.rows,
            "not_fetched": self.not_fetched,
            "url_count": len(self.urls),
            "used_for": [],
        }


async def read_sitemaps(
    fetch: Fetch, origin: str, later: re.Pattern[str] | None = None
) -> SitemapReport:
    """robots.txt, then its sitemaps (or /sitemap.xml), one level of index, all bounded.

    `later`: sitemap URLs matching it (product, blog, image sitemaps: long and of little use
    for finding info pages) are fetched after the others of an index.
    """
    report = SitemapReport()
    robots_url = origin.rstrip("/") + "/robots.txt"
    got = await fetch(robots_url, ROBOTS_TIMEOUT_S, ROBOTS_MAX_BYTES)
    listed: list[str] = []
    if got.error or got.status != 200:
        report.robots_note = got.error or f"HTTP {got.status}"
    elif looks_like_html(got.body, got.content_type):
        report.robots_note = "answered with an HTML page, not a robots.txt"
    else:
        robots = parse_robots(got.body[:ROBOTS_MAX_BYTES].decode("utf-8", "replace"), robots_url)
        report.robots_found = True
        report.robots_disallow_count = robots.disallow_count
        listed = robots.sitemaps
    queue = _keep_same_origin(listed, origin, report)
    if not queue:
        queue = [origin.rstrip("/") + "/sitemap.xml"]
    await _read_queue(fetch, origin, queue, report, later)
    return report


def _keep_same_origin(urls: list[str], origin: str, report: SitemapReport) -> list[str]:
    kept = []
    for url in urls:
        if same_origin(url, origin):
            kept.append(url)
        else:
            row = {"url": url, "status": 0, "kind": "", "urls": 0, "note": "other origin: not read"}
            _add_row(report, row)
    return kept


def _add_row(report: SitemapReport, row: dict[str, Any]) -> None:
    if len(report.rows) < MAX_ROWS:
        report.rows.append(row)


async def _read_queue(
    fetch: Fetch,
    origin: str,
    queue: list[str],
    report: SitemapReport,
    later: re.Pattern[str] | None,
) -> None:
    """Fetch sitemaps in order; an index (read from the first level only) adds its children."""
    seen_urls = set(report.urls)
    fetched: set[str] = set()
    first_level = set(queue)
    while queue:
        url = queue.pop(0)
        if url in fetched:
            continue
        if len(fetched) >= MAX_FILES or len(report.urls) >= MAX_URLS:
            report.not_fetched += 1 + len({u for u in queue if u not in fetched} - {url})
            return
        fetched.add(url)
        row, parsed = await _read_one(fetch, url)
        _add_row(report, row)
        if parsed is None:
            continue
        if parsed.kind == "sitemapindex":
            if url not in first_level:
                row["note"] = "index inside an index: not followed"
                continue
            children = _keep_same_origin(parsed.locs, origin, report)
            children.sort(key=lambda u: bool(later and later.search(urlsplit(u).path)))
            queue.extend(u for u in children if u not in fetched)
            row["urls"] = len(children)
            continue
        for loc in parsed.locs:
            if len(report.urls) >= MAX_URLS:
                row["note"] = f"URL cap of {MAX_URLS} reached"
                break
            page = loc.split("#")[0]
            if same_origin(page, origin) and page not in seen_urls:
                seen_urls.add(page)
                report.urls.append(page)
                row["urls"] += 1


async def _read_one(fetch: Fetch, url: str) -> tuple[dict[str, Any], SitemapFile | None]:
    """One sitemap file as a fact row {url, status, kind, urls, note}, and its parsed content."""
    row: dict[str, Any] = {"url": url, "status": 0, "kind": "", "urls": 0, "note": ""}
    got = await fetch(url, SITEMAP_TIMEOUT_S, SITEMAP_MAX_BYTES)
    row["status"] = got.status
    if got.error or got.status != 200:
        row["note"] = got.error or f"HTTP {got.status}"
        return row, None
    data, cut = gunzip_capped(got.body, SITEMAP_MAX_BYTES)
    if not data and cut:
        row["note"] = "broken gzip"
        return row, None
    parsed = parse_sitemap(data)
    row["kind"] = parsed.kind
    if parsed.error:
        row["note"] = parsed.error
        return row, None
    if cut:
        row["note"] = f"cut at {SITEMAP_MAX_BYTES // (1024 * 1024)} MB"
    return row, parsed


# --- the journey part ----------------------------------------------------------------------------


def sitemap_candidates(urls: list[str]) -> list[Candidate]:
    """Page URLs from sitemaps as link candidates without text, after every page link."""
    return [
        Candidate(text="", href=url, tag="a", region=SITEMAP_REGION, path="sitemap", index=i)
        for i, url in enumerate(urls)
    ]


def from_sitemap(found: Found | None) -> bool:
    return found is not None and found.candidate.region == SITEMAP_REGION


async def robots_and_sitemaps(c: Crawl) -> Step:
    """The `sitemap` probe step: read robots.txt and sitemaps, seed the link pool with them."""

    async def action(step: Step) -> None:
        later = c.vocab.regexes("sitemap_later")
        fetch = request_fetcher(c.context.request, c.origin)
        report = await read_sitemaps(fetch, c.origin, later)
        c.writer.set_fact("sitemap", report.fact(step.id))
        c.add_sitemap_links(sitemap_candidates(report.urls))
        step.tags = [f"urls:{len(report.urls)}", f"files:{len(report.rows)}"]
        step.url = c.origin.rstrip("/") + "/robots.txt"

    # Seven files at five seconds each, at most; the step's own limit must not cut it short.
    limit = max(c.step_timeout_s, (MAX_FILES + 2) * SITEMAP_TIMEOUT_S + 5)
    return await c.step("sitemap", action, capture="none", timeout=limit)


def fill_products(c: Crawl) -> None:
    """No product link on any page visited: take product-looking URLs from the sitemaps."""
    if c.state.get("products") or not c.sitemap_cands:
        return
    found = c.vocab.product_links(c.sitemap_cands, c.origin)
    for f in found:
        f.found_by = f"sitemap + {f.found_by}"
    c.state["products"] = found


def finish_fact(c: Crawl) -> None:
    """`used_for`: the kinds whose step opened a URL the sitemaps supplied (in journey order)."""
    fact = c.writer.facts.get("sitemap")
    if not isinstance(fact, dict):
        return
    kinds: list[str] = []
    for step in c.writer.steps:
        if step.found_by.startswith("sitemap") and step.kind not in kinds:
            kinds.append(step.kind)
    fact["used_for"] = kinds
