"""Bilingual text search over saved pages, returning evidence an auditor can find again.

Every heuristic in the checks goes through here so Chinese and English storefront text are
treated alike: `terms()` builds one pattern from Chinese and English words (English words match
whole words, case-insensitively; Chinese matches as a substring, since Chinese has no spaces),
and `find()` returns the smallest visible elements whose text matches, as `Evidence`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import lxml.html
from b2cect.crawler.bundle import HIDDEN_ATTR, Page

from .verdict import Evidence

SKIP_TAGS = {"script", "style", "noscript", "template", "head", "title", "meta", "link", "svg"}
BLOCK_TAGS = {
    "p",
    "li",
    "div",
    "td",
    "th",
    "tr",
    "dd",
    "dt",
    "section",
    "article",
    "aside",
    "footer",
    "header",
    "nav",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "label",
    "form",
    "table",
    "ul",
    "ol",
    "dl",
    "main",
    "fieldset",
    "button",
    "a",
    "option",
    "select",
    "span",
}
TEXT_ATTRS = ("alt", "title", "aria-label", "placeholder", "value")
EXCERPT_CHARS = 160

_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def terms(*words: str) -> re.Pattern[str]:
    """One case-insensitive pattern matching any of the words (Chinese or English).

    A word may itself be a regular expression when it starts with "re:".
    """
    parts = []
    for word in words:
        if word.startswith("re:"):
            parts.append(word[3:])
        elif _CJK.search(word):
            parts.append(re.escape(word))
        else:
            parts.append(_whole_word(word))
    return re.compile("|".join(parts), re.IGNORECASE)


def _whole_word(word: str) -> str:
    """An English word that must not touch other letters. The "no letter before" test comes
    after the first character, so every alternative starts with a literal and the regex
    engine can skip ahead by first character instead of trying each position (5x faster)."""
    first, rest = re.escape(word[0]), re.escape(word[1:]).replace(r"\ ", r"\s+")
    return first + rf"(?<![A-Za-z]{first})" + rest + r"(?![A-Za-z])"


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def is_hidden(el: lxml.html.HtmlElement) -> bool:
    """True when the crawler saw the element (or an ancestor) never visible to a customer.

    Only the crawler's mark counts, not the `hidden` attribute or CSS in the saved HTML: the
    crawler opened tabs and accordions before saving, so a panel that is `hidden` in the final
    DOM may well have been read by a customer a moment earlier.
    """
    node = el
    while node is not None:
        if node.get(HIDDEN_ATTR) is not None:
            return True
        if node.tag == "input" and (node.get("type") or "").lower() == "hidden":
            return True
        node = node.getparent()
    return False


def css_path(el: lxml.html.HtmlElement) -> str:
    """A CSS selector that finds this element again: the nearest id, then tag:nth-of-type steps."""
    parts: list[str] = []
    node = el
    while node is not None and isinstance(node.tag, str):
        ident = node.get("id")
        if ident and re.fullmatch(r"[A-Za-z][\w-]*", ident):
            parts.append(f"{node.tag}#{ident}")
            break
        parent = node.getparent()
        if parent is None:
            parts.append(node.tag)
            break
        same = [c for c in parent if c.tag == node.tag]
        parts.append(
            node.tag if len(same) == 1 else f"{node.tag}:nth-of-type({same.index(node) + 1})"
        )
        node = parent
    return " > ".join(reversed(parts))


def block_of(el: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    node = el
    while node is not None and node.tag not in BLOCK_TAGS:
        node = node.getparent()
    return node if node is not None else el


def element_text(el: lxml.html.HtmlElement) -> str:
    """Visible text of an element: hidden descendants and scripts left out."""
    chunks: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        if not isinstance(node.tag, str) or node.tag in SKIP_TAGS:
            return
        if node.get(HIDDEN_ATTR) is not None:
            return
        if node.text:
            chunks.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                chunks.append(child.tail)

    walk(el)
    return normalise(" ".join(chunks))


def excerpt(text: str, match: re.Match[str] | None = None, width: int = EXCERPT_CHARS) -> str:
    text = normalise(text)
    if len(text) <= width or match is None:
        return text[:width] + ("…" if len(text) > width else "")
    centre = (match.start() + match.end()) // 2
    start = max(0, min(centre - width // 2, len(text) - width))
    return (
        ("…" if start else "")
        + text[start : start + width]
        + ("…" if start + width < len(text) else "")
    )


def evidence(
    page: Page, el: lxml.html.HtmlElement | None = None, note: str = "", text: str | None = None
) -> Evidence:
    """Evidence pointing at an element (or the whole page) of a saved page."""
    return Evidence(
        step=page.step.id,
        page=page.kind,
        url=page.url,
        selector=css_path(el) if el is not None else "",
        excerpt=excerpt(
            text if text is not None else (element_text(el) if el is not None else page.step.title)
        ),
        screenshot=page.screenshot,
        note=note,
    )


@dataclass(frozen=True)
class Hit:
    page: Page
    element: lxml.html.HtmlElement
    text: str  # the block's visible text
    match: str

    def evidence(self, note: str = "") -> Evidence:
        m = re.search(re.escape(self.match), normalise(self.text))
        return Evidence(
            step=self.page.step.id,
            page=self.page.kind,
            url=self.page.url,
            selector=css_path(self.element),
            excerpt=excerpt(self.text, m),
            screenshot=self.page.screenshot,
            note=note,
        )


def iter_text_nodes(page: Page) -> list[tuple[lxml.html.HtmlElement, str, bool]]:
    """(element, text, hidden) for each text node and text-bearing attribute of the page.

    Built once per page in one walk of the tree and shared by every check.
    """
    cached = page.derived.get("text_nodes")
    if cached is not None:
        return cached
    nodes: list[tuple[lxml.html.HtmlElement, str, bool]] = []

    def walk(el: lxml.html.HtmlElement, hidden: bool) -> None:
        if not isinstance(el.tag, str) or el.tag in SKIP_TAGS:
            return
        hidden = (
            hidden
            or el.get(HIDDEN_ATTR) is not None
            or (el.tag == "input" and (el.get("type") or "").lower() == "hidden")
        )
        if el.text and el.text.strip():
            nodes.append((el, el.text, hidden))
        for attr in TEXT_ATTRS:
            value = el.get(attr)
            if (
                value
                and value.strip()
                and not (
                    attr == "value"
                    and el.tag == "input"
                    and (el.get("type") or "text") not in ("submit", "button")
                )
            ):
                nodes.append((el, value, hidden))
        for child in el:
            walk(child, hidden)
            if child.tail and child.tail.strip():
                nodes.append((el, child.tail, hidden))

    walk(page.tree, False)
    page.derived["text_nodes"] = nodes
    return nodes


# Joins the text nodes of a page into one string the regex engine scans in a single call;
# \x00 never occurs in page text and no pattern's \s matches it.
_NODE_SEPARATOR = "\x00"


def _text_index(page: Page, include_hidden: bool) -> tuple[str, list[int], list[int]]:
    """(joined text, start offset of each node, node number in iter_text_nodes) for a page."""
    key = "text_index_all" if include_hidden else "text_index"
    cached = page.derived.get(key)
    if cached is None:
        parts, starts, numbers, offset = [], [], [], 0
        for number, (_, text, hidden) in enumerate(iter_text_nodes(page)):
            if hidden and not include_hidden:
                continue
            parts.append(text)
            starts.append(offset)
            numbers.append(number)
            offset += len(text) + 1
        cached = page.derived[key] = (_NODE_SEPARATOR.join(parts), starts, numbers)
    return cached


def _matching_nodes(
    page: Page, pattern: re.Pattern[str], include_hidden: bool
) -> Iterator[tuple[lxml.html.HtmlElement, str, re.Match[str]]]:
    """Nodes whose own text matches, in document order. The joined text finds candidates at C
    speed; each is confirmed on the node alone, so a match spanning two nodes never counts."""
    joined, starts, numbers = _text_index(page, include_hidden)
    nodes = iter_text_nodes(page)
    pos = 0
    while pos < len(joined):
        m = pattern.search(joined, pos)
        if m is None:
            return
        i = bisect.bisect_right(starts, m.start()) - 1
        el, text, _ = nodes[numbers[i]]
        own = pattern.search(text)
        if own is not None:
            yield el, text, own
        pos = starts[i + 1] if i + 1 < len(starts) else len(joined)


def find(
    pages: Page | Iterable[Page],
    pattern: re.Pattern[str],
    limit: int = 3,
    include_hidden: bool = False,
) -> list[Hit]:
    """Visible places on the pages where the pattern occurs, at most `limit` (0 = all)."""
    if isinstance(pages, Page):
        pages = [pages]
    hits: list[Hit] = []
    seen: set[int] = set()
    for page in pages:
        for el, text, m in _matching_nodes(page, pattern, include_hidden):
            block = block_of(el)
            if id(block) in seen:
                continue
            seen.add(id(block))
            hits.append(Hit(page, block, element_text(block) or normalise(text), m.group(0)))
            if limit and len(hits) >= limit:
                return hits
    return hits


def find_one(pages: Page | Iterable[Page], pattern: re.Pattern[str]) -> Hit | None:
    hits = find(pages, pattern, limit=1)
    return hits[0] if hits else None


def page_text(page: Page) -> str:
    """All visible text of a page, normalised."""
    body = page.tree.find("body")
    return element_text(body if body is not None else page.tree)


def links(page: Page) -> list[tuple[str, str, lxml.html.HtmlElement]]:
    """Visible links as (text, href, element); the text falls back to title/aria-label."""
    found = page.derived.get("links")
    if found is None:
        found = page.derived["links"] = []
        for a in page.tree.iter("a"):
            href = a.get("href")
            if not href or is_hidden(a):
                continue
            label = element_text(a) or a.get("title") or a.get("aria-label") or ""
            found.append((label, href, a))
    return list(found)


# --- the seller's own words versus customers' words --------------------------------------------
# Reviews, questions and comments on a store's pages are written by customers: "the installer
# came on time" in a review is not the seller's installation arrangement, and a 404 behind a
# "payment help" link is no help. Checks that need the seller's own information filter with
# seller_text_only() and drop links to broken pages with points_to_broken().
from urllib.parse import urljoin, urlsplit  # noqa: E402 (kept with the helpers that use it)

from b2cect.crawler.bundle import Bundle  # noqa: E402

# Class/id tokens (split on "-", "_", ":", "/", spaces and camelCase) that mark user content.
USER_CONTENT_TOKEN = re.compile(
    r"(?:product|user|customer|buyer)?(?:reviews?|comments?|qa|qna|ratings?|testimonials?)"
    r"|.*(?:评价|问答|评论|留言|晒单|问大家).*"
)
# Weaker marks: a FAQ is made of questions and answers too, so these count as user content
# only when no ancestor says the block is the seller's (see SELLER_CONTEXT_TOKENS).
USER_QUESTION_TOKEN = re.compile(r"(?:product|user|customer|buyer)?(?:questions?|answers?)")
# Tokens that make such a block the seller's: "order-review", "faq-question", "help-answer".
SELLER_CONTEXT_TOKENS = {
    "order",
    "orders",
    "checkout",
    "cart",
    "faq",
    "faqs",
    "help",
    "summary",
    "security",
    "policy",
    "常见问题",
    "帮助",
}
# Headings that open a section of user content (read from the heading's start).
USER_CONTENT_HEADING = re.compile(
    r"^\s*(?:(?:商品|用户|买家|顾客|累计|全部|精选)?(?:评价|评论|问答|晒单)|问大家|大家都在问"
    r"|(?:customer\s+|product\s+|user\s+)?(?:reviews|ratings|questions|comments)"
    r"(?:\s*(?:&|and)\s*(?:answers|reviews))?\s*(?:$|[(\[（:：\d])"
    r"|q\s*&\s*a\b)",
    re.IGNORECASE,
)
SELLER_HEADING = terms("常见问题", "帮助", "FAQ", "FAQs", "frequently asked", "help")
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
CHROME_TAGS = ("header", "footer", "nav")


def _tokens(node: lxml.html.HtmlElement) -> list[str]:
    words = " ".join(
        node.get(attr) or "" for attr in ("class", "id", "itemprop", "itemtype", "data-role")
    )
    words = re.sub(r"([a-z])([A-Z])", r"\1 \2", words)  # productReviews -> product Reviews
    return [t for t in re.split(r"[\s_\-/:.]+", words.lower()) if t]


def _marked(node: lxml.html.HtmlElement) -> str:
    """'seller', 'user' or 'question' (weak user mark) from the node's own class/id, else ''."""
    tokens = _tokens(node)
    if any(t in SELLER_CONTEXT_TOKENS for t in tokens):
        return "seller"
    if any(USER_CONTENT_TOKEN.fullmatch(t) for t in tokens):
        return "user"
    if any(USER_QUESTION_TOKEN.fullmatch(t) for t in tokens):
        return "question"
    return ""


def _heading_says(heading: lxml.html.HtmlElement | None) -> str:
    if heading is None:
        return ""
    text = element_text(heading)
    if SELLER_HEADING.search(text):
        return "seller"
    return "user" if USER_CONTENT_HEADING.search(text) else ""


def _own_heading(node: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The heading that opens a section: its first child heading."""
    return next((c for c in node if isinstance(c.tag, str) and c.tag in HEADING_TAGS), None)


def _preceding_heading(node: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The nearest heading before the node among its siblings (flat pages: h2, p, p, h2, p)."""
    if node.tag in CHROME_TAGS or node.tag in HEADING_TAGS:
        return None
    for sibling in node.itersiblings(preceding=True):
        if isinstance(sibling.tag, str) and sibling.tag in HEADING_TAGS:
            return sibling
    return None


def in_user_content(el: lxml.html.HtmlElement) -> bool:
    """True inside a review, question/answer or comment block, judged from the nearest
    ancestor whose class/id or heading says whose words these are (a FAQ is the seller's)."""
    question = False  # a "question"/"answer" block seen: user content unless inside a FAQ
    node = el
    while node is not None and isinstance(node.tag, str) and node.tag != "body":
        for says in (
            _marked(node),
            _heading_says(_own_heading(node)),
            _heading_says(_preceding_heading(node)),
        ):
            if says == "question":
                question = True
            elif says:
                return says == "user"
        node = node.getparent()
    return question


def seller_text_only(hits: Iterable[Hit]) -> list[Hit]:
    """The hits that are the seller's words: user content (reviews, Q&A, comments) left out."""
    return [h for h in hits if not in_user_content(h.element)]


def _url_key(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path.rstrip("/") or "/"
    return f"{parts.netloc.lower()}{path}" + (f"?{parts.query}" if parts.query else "")


HTTP_ERROR = re.compile(r"\bHTTP\s*[45]\d\d\b")


def broken_targets(bundle: Bundle) -> set[str]:
    """URLs known to be broken: listed by the link check, or a step that answered 4xx/5xx."""
    found: set[str] = set()
    links_fact = bundle.fact("links") or {}
    for row in links_fact.get("broken") or []:
        if isinstance(row, dict) and row.get("url"):
            found.add(_url_key(str(row["url"])))
    for step in bundle.steps:
        if step.status == "failed" and HTTP_ERROR.search(step.error or ""):
            found.update(_url_key(u) for u in (step.url, step.final_url) if u)
    return found


POINTER_CHARS = 30  # text around a link this short only points at the link ("支付遇到问题？")


def points_to_broken(hit: Hit, broken: set[str]) -> bool:
    """True when the hit is a link (or a short line around links) whose targets are all broken."""
    if not broken:
        return False
    anchor = hit.element if hit.element.tag == "a" else next(hit.element.iterancestors("a"), None)
    if anchor is not None:
        anchors = [anchor]
    else:
        anchors = [a for a in hit.element.iter("a") if a.get("href")]
    if not anchors:
        return False
    if anchor is None:
        outside = normalise(hit.text)
        for a in anchors:
            outside = outside.replace(element_text(a), "", 1)
        if len(outside.strip()) > POINTER_CHARS:
            return False  # the block explains something itself; the link is extra
    return all(_url_key(urljoin(hit.page.url, a.get("href") or "")) in broken for a in anchors)


def searched(pages: Iterable[Page], what: str, limit: int = 6) -> list[Evidence]:
    """Evidence for a verdict that found nothing: where the check looked, and for what."""
    return [evidence(p, note=f"searched: {what}") for p in list(pages)[:limit]]
