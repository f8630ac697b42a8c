"""Scored discovery: find links, controls and form fields on a store the crawler has never seen.

Nothing here knows a particular store. Every visible link or button becomes a `Candidate`
(collected in the browser by `COLLECT_JS`, or from saved HTML by `candidates_from_html` for
tests and offline use); `Vocabulary.rank()` scores each against a target from
vocabulary.yaml by combining its text, its aria-label/title and its URL, so the best match wins
rather than the first one. Every result says how it was found (`found_by`) and how sure we are
(`confidence`), and both go into the bundle's step rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import yaml

_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
_COUNT = re.compile(r"[\(\[（【]\s*\d+\s*(items?|件|个)?\s*[\)\]）】]", re.IGNORECASE)
_EDGE_PUNCT = " \t\r\n:：*·•|/>»›<«‹→←-–—.,，。!！?？"

# Candidate.region of a URL read from the store's sitemaps (crawler/sitemap.py), not from a page.
SITEMAP_REGION = "sitemap"

# Below this score a candidate is not used at all: guessing wrong costs more than "not found".
MIN_CONFIDENCE = 0.35


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


_AMOUNT = re.compile(r"[¥￥$£€]\s*\d[\d,]*(\.\d+)?")


def clean_label(text: str) -> str:
    """Text as compared with the vocabulary: no counts '(2)', amounts or edge punctuation."""
    text = _AMOUNT.sub(" ", _COUNT.sub(" ", normalise(text)))
    return normalise(text).strip(_EDGE_PUNCT).lower()


def word_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for Chinese substrings, whole English words and `re:` regular expressions."""
    parts = []
    for word in words:
        word = str(word)
        if word.startswith("re:"):
            parts.append(f"(?:{word[3:]})")
        elif _CJK.search(word):
            parts.append(re.escape(word))
        else:
            body = re.escape(word).replace(r"\ ", r"[\s_\-]+")
            parts.append(rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


@dataclass
class Candidate:
    """A visible link or control on a page, as discovery sees it."""

    text: str
    href: str = ""  # absolute URL for links, "" for buttons
    tag: str = "a"
    aria: str = ""  # aria-label, title, alt of an inner image, or value
    selector: str = ""  # CSS selector that finds the element again on the live page
    path: str = ""  # CSS path that finds it in the saved HTML (for evidence in facts)
    region: str = "main"  # "header", "nav", "footer", "main", "aside", "dialog", "sitemap"
    visible: bool = True
    disabled: bool = False
    context: str = ""  # text of the surrounding card/row (product cards, order rows)
    rel: str = ""
    index: int = 0  # document order
    hint: str = ""  # icon hints: class, id, data-testid, sprite <use href>, icon-font ligature
    expanded: str = ""  # aria-expanded ("true"/"false"), or "popup" for aria-haspopup
    via: str = ""  # how it was uncovered: "click 'Menu' in header" (a replayable path)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Candidate:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


# One control of a recorded click path, as describe() and found_by name it: "click 'Cart'
# icon in header", "link 'View cart'", "click '菜单' button in menu".
_PATH_STEP = re.compile(
    r"^(?:click\s+)?(?:(?P<pre>link|button|icon)\s+)?'(?P<name>[^']*)'"
    r"(?:\s+(?P<kind>link|button|icon))?(?:\s+in\s+(?P<region>\w+))?"
)


@dataclass
class ReplayStep:
    """A control named in a click path, to be found again on a live page by its name (text,
    accessible name or first icon hint), its kind and, preferably, its region."""

    name: str
    kind: str = ""  # "link", "button", "icon" or "" (any)
    region: str = ""

    @classmethod
    def parse(cls, segment: str) -> ReplayStep | None:
        m = _PATH_STEP.match(segment.strip())
        if m is None or not m["name"]:
            return None
        return cls(normalise(m["name"]), m["kind"] or m["pre"] or "", m["region"] or "")

    def names(self, cand: Candidate) -> bool:
        hint = cand.hint.split(" ")[0] if cand.hint else ""
        own = {normalise(cand.text)[:30], normalise(cand.aria)[:30], normalise(hint)}
        if self.name not in own:
            return False
        return self.kind != "link" or bool(cand.href)

    def find(self, cands: Iterable[Candidate]) -> Candidate | None:
        named = [c for c in cands if self.names(c)]
        # Shown before hidden, then the recorded region: the header's "Cart", not the footer's.
        named.sort(key=lambda c: (not c.visible, c.region != self.region))
        return named[0] if named else None


@dataclass
class Found:
    """The best candidate for a target, and why it was chosen."""

    target: str
    candidate: Candidate
    confidence: float
    found_by: str

    @property
    def url(self) -> str:
        return self.candidate.href


@dataclass
class _Target:
    name: str
    words: list[str]
    exact: set[str]
    word_re: re.Pattern[str] | None
    url_re: re.Pattern[str] | None
    avoid_re: re.Pattern[str] | None
    avoid_url_re: re.Pattern[str] | None
    where: str = ""
    needs_text: bool = False  # a control must be named by its text/aria, not only its URL
    hint_re: re.Pattern[str] | None = None  # icon hints (class, id, sprite, ligature)


ORDER_ACTION_TARGETS = ("place_order", "pay", "buy_now")


@dataclass
class Vocabulary:
    """vocabulary.yaml, compiled."""

    raw: dict[str, Any]
    targets: dict[str, _Target] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, spec in self.raw.get("targets", {}).items():
            words = [str(w) for w in spec.get("words", [])]
            avoid = [str(w) for w in spec.get("avoid", [])]
            avoid_words = [w for w in avoid if not w.startswith("/")]
            avoid_urls = [w for w in avoid if w.startswith("/")]  # regular expressions
            urls = spec.get("urls", [])
            self.targets[name] = _Target(
                name=name,
                words=words,
                exact={clean_label(w) for w in words},
                word_re=word_pattern(words),
                url_re=re.compile("|".join(f"(?:{u})" for u in urls), re.I) if urls else None,
                avoid_re=word_pattern(avoid_words),
                avoid_url_re=re.compile("|".join(avoid_urls), re.I) if avoid_urls else None,
                where=spec.get("where", ""),
                needs_text=bool(spec.get("needs_text", False)),
                hint_re=word_pattern(str(h) for h in spec.get("hints", [])),
            )

    # --- word lists ------------------------------------------------------------------------------
    def order_action_words(self) -> list[str]:
        """Words of controls that place an order or pay (buy now included), without their
        `avoid` lists: a control named by any of them is never pressed as a mere choice."""
        return [w for t in ORDER_ACTION_TARGETS for w in self.targets[t].words]

    def acts_on_order(self, text: str) -> bool:
        pattern = word_pattern(self.order_action_words())
        return bool(pattern and text and pattern.search(text))

    def pattern(self, section: str, key: str) -> re.Pattern[str]:
        """Pattern of a word list outside `targets` (e.g. ("availability", "out_of_stock"))."""
        words = self.raw.get(section, {}).get(key, [])
        return word_pattern(words) or re.compile(r"(?!x)x")

    def words(self, section: str, key: str | None = None) -> list[str]:
        value = self.raw.get(section, [])
        if key is not None:
            value = value.get(key, [])
        return [str(w) for w in value]

    def regexes(self, key: str) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in self.raw["patterns"][key]), re.IGNORECASE)

    # --- scoring ---------------------------------------------------------------------------------
    def score(self, target: str, cand: Candidate) -> tuple[float, str]:
        """Confidence (0-1) that the candidate is the target, and a plain 'found by' note."""
        spec = self.targets[target]
        label = clean_label(cand.text)
        aria = clean_label(cand.aria)
        evidence: list[tuple[float, str]] = []
        kind = "link" if cand.href else "button"
        if label:
            if label in spec.exact:
                evidence.append((0.9, f"{kind} text '{normalise(cand.text)[:40]}'"))
            elif spec.word_re and (m := spec.word_re.search(label)) and len(label) <= 40:
                # A short label made mostly of the word is nearly as good as an exact one.
                share = len(m.group(0)) / max(len(label), 1)
                evidence.append((0.45 + 0.35 * share, f"{kind} text '{normalise(cand.text)[:40]}'"))
        if aria and aria != label:
            if aria in spec.exact:
                evidence.append((0.8, f"aria/title '{normalise(cand.aria)[:40]}'"))
            elif spec.word_re and spec.word_re.search(aria) and len(aria) <= 60:
                evidence.append((0.5, f"aria/title '{normalise(cand.aria)[:40]}'"))
        if spec.needs_text and not evidence:
            return 0.0, ""
        if not label and spec.hint_re and cand.hint and (m := spec.hint_re.search(cand.hint)):
            # An icon-only control: its class, sprite or icon-font name says what it is.
            evidence.append((0.5, f"icon hint '{m.group(0)}'"))
        path = _path_and_query(cand.href)
        if path and spec.url_re and (m := spec.url_re.search(path)):
            evidence.append((0.55, f"url pattern {m.group(0)}"))
        if not evidence:
            return 0.0, ""
        miss = 1.0
        for value, _ in evidence:
            miss *= 1.0 - value
        confidence = 1.0 - miss
        if spec.avoid_re and (spec.avoid_re.search(label) or spec.avoid_re.search(aria)):
            confidence *= 0.1
        if spec.avoid_url_re and path and spec.avoid_url_re.search(path):
            confidence *= 0.1
        if spec.where and cand.region == spec.where:
            confidence = min(1.0, confidence + 0.05)
        if not cand.visible:
            confidence *= 0.5
        if cand.disabled:
            confidence *= 0.3
        note = " + ".join(note for _, note in evidence)
        if cand.via:
            note = f"{cand.via} \u2192 {kind} '{normalise(cand.text or cand.aria)[:30]}'"
            note += f" ({' + '.join(n for _, n in evidence)})"
        return round(min(confidence, 0.99), 3), note

    def rank(
        self,
        target: str,
        cands: Iterable[Candidate],
        origin: str = "",
        minimum: float = MIN_CONFIDENCE,
    ) -> list[Found]:
        """Candidates for a target, best first; links off the store's origin are left out."""
        found: list[Found] = []
        for cand in cands:
            if origin and cand.href and not same_origin(cand.href, origin):
                continue
            if cand.href and not cand.href.startswith(("http:", "https:")):
                if not cand.href.startswith("javascript:"):
                    continue
            confidence, note = self.score(target, cand)
            if confidence >= minimum:
                found.append(Found(target, cand, confidence, note))
        found.sort(key=lambda f: (-f.confidence, f.candidate.index))
        return found

    def best(
        self,
        target: str,
        cands: Iterable[Candidate],
        origin: str = "",
        minimum: float = MIN_CONFIDENCE,
    ) -> Found | None:
        ranked = self.rank(target, cands, origin, minimum)
        return ranked[0] if ranked else None

    # --- products ------------------------------------------------------------------------------
    def product_links(self, cands: Iterable[Candidate], origin: str = "") -> list[Found]:
        """Links that look like product pages, best first, one per URL."""
        product_re = self.regexes("product_url")
        not_product_re = self.regexes("not_product_url")
        price_re = self.pattern("patterns", "price")
        best: dict[str, Found] = {}
        for cand in cands:
            if not cand.href or (origin and not same_origin(cand.href, origin)):
                continue
            path = _path_and_query(cand.href)
            if not path or not_product_re.search(path):
                continue
            score, notes = 0.0, []
            if m := product_re.search(path):
                score += 0.55
                notes.append(f"url pattern {m.group(0)}")
            if cand.context and price_re.search(cand.context):
                score += 0.25
                notes.append("price in card")
            if score == 0:
                continue
            if normalise(cand.text) or cand.aria:
                score += 0.1
            key = cand.href.split("#")[0]
            found = Found("product", cand, round(min(score, 0.95), 3), " + ".join(notes))
            old = best.get(key)
            if old is None or _better_product_link(found, old):
                best[key] = found
        ranked = [f for f in best.values() if f.confidence >= MIN_CONFIDENCE]
        ranked.sort(key=lambda f: (-f.confidence, f.candidate.index))
        return ranked

    # --- fields ----------------------------------------------------------------------------------
    def classify_field(self, field_info: dict[str, Any]) -> str:
        """The field class of a form control (see `fields` in vocabulary.yaml), or ""."""
        ftype = (field_info.get("type") or "").lower()
        auto = (field_info.get("autocomplete") or "").lower()
        by_type = {"password": "password", "email": "email", "tel": "mobile", "search": "search"}
        if ftype in by_type:
            return by_type[ftype]
        for token, cls in _AUTOCOMPLETE.items():
            if token in auto.split():
                return cls
        machine = _split_name(" ".join(str(field_info.get(k) or "") for k in ("name", "id")))
        human = clean_label(
            " ".join(str(field_info.get(k) or "") for k in ("label", "placeholder", "aria"))
        )
        for cls in _FIELD_ORDER:
            words = self.raw.get("fields", {}).get(cls, [])
            if _field_matches(words, machine, exact_single_cjk=False) or _field_matches(
                words, human, exact_single_cjk=True
            ):
                return cls
        return ""


_AUTOCOMPLETE = {
    "username": "username",
    "current-password": "password",
    "new-password": "password",
    "one-time-code": "sms_code",
    "email": "email",
    "tel": "mobile",
    "tel-national": "mobile",
    "given-name": "first_name",
    "family-name": "last_name",
    "name": "full_name",
    "postal-code": "postcode",
    "address-line1": "address",
    "street-address": "address",
    "address-line2": "address2",
    "address-level1": "province",
    "address-level2": "city",
    "address-level3": "district",
    "country": "country",
    "country-name": "country",
    "honorific-prefix": "title",
}

# Most specific classes first: "first name" must win over "name", "sms code" over "code".
_FIELD_ORDER = (
    "sms_code",
    "captcha",
    "nickname",
    "birthday",
    "password",
    "email",
    "mobile",
    "first_name",
    "last_name",
    "title",
    "username",
    "postcode",
    "country",
    "province",
    "city",
    "district",
    "address2",
    "address",
    "remarks",
    "quantity",
    "search",
    "invoice",
    "time_slot",
    "delivery",
    "payment",
    "consent",
    "return_reason",
    "full_name",
)


def _split_name(text: str) -> str:
    """Field names/ids as words: 'id_shipping-first_name' -> 'id shipping first name'."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    return normalise(re.sub(r"[_\-\[\].:]+", " ", text)).lower()


def _field_matches(words: list[str], text: str, exact_single_cjk: bool) -> bool:
    if not text:
        return False
    for word in words:
        word = str(word)
        if _CJK.search(word):
            if len(word) == 1:
                # One Chinese character ("市", "区") is too common to match inside a label.
                if exact_single_cjk and text == word:
                    return True
                continue
            if word in text:
                return True
        elif re.search(rf"(?<![a-z0-9]){re.escape(word.lower())}(?![a-z0-9])", text):
            return True
    return False


def _better_product_link(new: Found, old: Found) -> bool:
    if new.confidence != old.confidence:
        return new.confidence > old.confidence
    return len(normalise(new.candidate.text)) > len(normalise(old.candidate.text))


def _path_and_query(url: str) -> str:
    if not url or url.startswith("javascript:"):
        return ""
    parts = urlsplit(url)
    route = parts.fragment if parts.fragment.startswith(("/", "!/")) else ""
    # A hash route ('#/cart', '#!/cart') is the app's own path: read it like one.
    if route and parts.path in ("", "/"):
        return route.lstrip("!")
    return parts.path + (f"?{parts.query}" if parts.query else "")


def same_origin(url: str, origin: str) -> bool:
    a, b = urlsplit(url), urlsplit(origin)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


@cache
def load_vocabulary() -> Vocabulary:
    text = resources.files("b2cect.crawler").joinpath("vocabulary.yaml").read_text("utf-8")
    return Vocabulary(yaml.safe_load(text))


# --- collecting candidates -----------------------------------------------------------------------

_CONTROL_XPATH = (
    "//a[@href] | //button | //input[@type='submit' or @type='button' or @type='image']"
    " | //*[@role='button' or @role='link' or @role='tab' or @role='menuitem']"
)


def _region_of(el: lxml.html.HtmlElement) -> str:
    node = el
    while node is not None:
        tag = node.tag if isinstance(node.tag, str) else ""
        marker = f"{node.get('id') or ''} {node.get('class') or ''}".lower()
        if tag == "footer" or "footer" in marker:
            return "footer"
        if tag == "nav" or node.get("role") == "navigation":
            return "nav"
        if tag == "header" or "header" in marker:
            return "header"
        node = node.getparent()
    return "main"


def candidates_from_html(html: str, base_url: str) -> list[Candidate]:
    """Candidates from saved HTML (no browser): for tests and for re-reading a bundle page."""
    tree = lxml.html.document_fromstring(html or "<html></html>")
    found = []
    for index, el in enumerate(tree.xpath(_CONTROL_XPATH)):
        text = normalise(el.text_content()) if el.tag != "input" else ""
        imgs = el.xpath(".//img[@alt]")
        aria = el.get("aria-label") or el.get("title") or (imgs[0].get("alt") if imgs else "")
        if el.tag == "input":
            aria = aria or el.get("value") or ""
            text = el.get("value") or ""
        href = el.get("href") or ""
        found.append(
            Candidate(
                text=text,
                href=urljoin(base_url, href) if href and not href.startswith("#") else "",
                tag=el.tag,
                aria=aria,
                selector="xpath=" + tree.getroottree().getpath(el),
                path="xpath=" + tree.getroottree().getpath(el),
                region=_region_of(el),
                visible=el.get("hidden") is None and el.get("data-b2cect-hidden") is None,
                disabled=el.get("disabled") is not None,
                rel=el.get("rel") or "",
                index=index,
            )
        )
    return found
