"""The order guard: on a store that is not a test store, no request the crawler causes may
create an order.

A button's words cannot keep that promise ("Continue", "下一步" and "提交" create orders on many
stores), so the guard decides on the request itself, before it is sent, at the network level
(Playwright routing on the browser context, plus `allows()` for the crawler's own HTTP client):

- **Anywhere**: a request whose URL or form names order creation outright ("place order",
  `/order/create`, `submitOrder`, 下单, 提交订单 ...) is blocked, a GET link included.
- **From the checkout on** (stage `checkout`): a request that sends data (POST, PUT, PATCH,
  DELETE) goes out only when it is recognisably a step form (its URL names an address,
  delivery or region step) and names nothing order-like (order, pay, submit, confirm ...). A GET
  whose URL has an order-creating verb (confirm, submit, pay ...) is blocked too.
- **A payment-method selection** (stage `checkout` only) goes out too, when it is narrowly
  that: its URL path names a payment word and a choice word (`/checkout/payment-method/`), it
  names nothing order-like (the rule above runs first: no pay, order, submit, confirm ...), and
  its body is nothing but a method choice and an anti-forgery token (keys made of method words
  or token names, at most a few; values short identifiers; no digit run long enough to be a card
  or account number). Why this one exception: stores such as Oscar ask "Bank transfer or cash
  on delivery?" as a step of its own before the review page; holding it back leaves the review
  page (total, charges, the items 6.2.4.1 judges) unseen on every such store. Choosing a method
  is a step form of the same standing as choosing a delivery method: it records a choice in
  the checkout session, and the order is placed later, on the review page, where nothing is
  sent at all. The risk that stays is a store whose method form itself creates the order (and
  redirects to a payment page). Two things bound it: a form that pays or places the order
  nearly always says so in its URL or fields (/payment-information with a billing address and
  email, Magento's order-placing call, has no "method" in its path and more than a choice in
  its body, so it is held back), and after every request let through the page and the JSON
  answer are read for an order; one seen stops the checkout at once and opens the report
  (tests/trap_stores/: `payment_method_creates_order`), so such a store gets at most one
  unpaid order, which the report asks the seller to cancel. The other choice, holding the
  method back and leaving every review-page item needs_review on such stores, was weighed
  and rejected: it gives up the evidence of a common checkout shape to guard against a rare
  one the incident rule already stops. Nothing is paid either way: the crawler types no card,
  account or code on a store that is not a test store, and this rule refuses bodies with them.
- **A GraphQL query** (a POST whose JSON body is only `query` documents, no `mutation` or
  `subscription`) is judged as the GET it stands for: GraphQL storefronts (EverShop, Shopify's
  and Saleor's APIs) read the cart and checkout that way, and by the protocol's own rule a query
  reads and only a mutation writes. Its words are still read for named order creation first,
  and a persisted query sent by hash alone is not recognised, so it is judged as data.
- **On the final review page** (stage `review`): nothing that sends data goes out.
- Static resources (images, styles, fonts, scripts) are never judged: fetching them cannot
  create anything.

Where the guard cannot tell a step form from an order form, it blocks, and the step says
"not sent: could create an order". Reaching less is the right price.

After a request that was let through, a page or a JSON answer that says an order exists
("order placed", an order number, 下单成功, 订单号) is an *incident*: the checkout stops at once
and the bundle says so (`order_guard` fact, `run.incidents` in the manifest).

On a test store (the demo store, or one the site profile marks) the guard only records; it
never blocks. Placing the order there still needs the explicit order flag.
The words are data: `order_guard` in vocabulary.yaml.
"""

from __future__ import annotations

import json
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

STAGES = ("browse", "checkout", "review", "after")
SENDING_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Resource types whose fetching cannot act on the store; never judged, never recorded.
STATIC_TYPES = {"image", "stylesheet", "font", "media", "script", "texttrack", "manifest"}
MAX_ROWS = 400  # decision rows kept in the bundle; counts go on past it
MAX_BODY_CHARS = 64 * 1024  # request bodies read for words (a form is far smaller)
MAX_ANSWER_BYTES = 256 * 1024  # JSON answers read for an order number
BLOCK_REASON = "blockedbyclient"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    rule: str  # plain words: why


@dataclass(frozen=True)
class GuardWords:
    """The `order_guard` section of vocabulary.yaml, compiled."""

    strong: re.Pattern[str]  # names order creation outright: blocked in every stage
    verbs: frozenset[str]  # tokens that act (place, submit, confirm, pay ...)
    verbs_cjk: tuple[str, ...]
    nouns: frozenset[str]  # tokens that name an order (order, trade ...)
    nouns_cjk: tuple[str, ...]
    step_words: frozenset[str]  # tokens of checkout step forms (address, shipping ...)
    step_words_cjk: tuple[str, ...]
    created: re.Pattern[str]  # page text saying an order now exists
    order_keys: frozenset[str]  # JSON keys holding a new order's number
    # A payment-method selection form (see the module docstring), words from the vocabulary.
    method_path_payment: frozenset[str] = frozenset()
    method_path_choice: frozenset[str] = frozenset()
    method_keys: frozenset[str] = frozenset()
    token_keys: re.Pattern[str] = re.compile("(?!x)x")

    @classmethod
    def from_vocabulary(cls, raw: dict[str, Any]) -> GuardWords:
        spec = raw.get("order_guard") or {}

        def split(key: str) -> tuple[frozenset[str], tuple[str, ...]]:
            words = [str(w).lower() for w in spec.get(key, [])]
            return (
                frozenset(w for w in words if w.isascii()),
                tuple(w for w in words if not w.isascii()),
            )

        method = spec.get("payment_method_step") or {}

        def lowered(words: Any) -> frozenset[str]:
            return frozenset(str(w).lower() for w in words or [])

        verbs, verbs_cjk = split("verbs")
        nouns, nouns_cjk = split("nouns")
        steps, steps_cjk = split("step_words")
        return cls(
            strong=_any_of(spec.get("strong", [])),
            verbs=verbs,
            verbs_cjk=verbs_cjk,
            nouns=nouns,
            nouns_cjk=nouns_cjk,
            step_words=steps,
            step_words_cjk=steps_cjk,
            created=_any_of(spec.get("created", [])),
            order_keys=frozenset(str(k).lower() for k in spec.get("order_keys", [])),
            method_path_payment=lowered(method.get("path_payment")),
            method_path_choice=lowered(method.get("path_choice")),
            method_keys=lowered(method.get("method_keys")),
            token_keys=_any_of(method.get("token_keys", [])),
        )

    def names(self, text: str, ascii_words: frozenset[str], cjk: tuple[str, ...]) -> str:
        """The first word of a list found in text (ASCII as whole tokens), or ""."""
        for token in tokens(text):  # before lowering: 'shippingMethods' is two words
            if token in ascii_words:
                return token
        lowered = text.lower()
        return next((w for w in cjk if w in lowered), "")


def _any_of(patterns: list[Any]) -> re.Pattern[str]:
    parts = [str(p) for p in patterns]
    return re.compile("|".join(f"(?:{p})" for p in parts), re.I) if parts else re.compile("(?!x)x")


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_TOKEN = re.compile(r"[a-z]+")


def tokens(text: str) -> list[str]:
    """ASCII word tokens of a URL or form key: 'submitOrder' and 'place_order' -> words."""
    return _TOKEN.findall(_CAMEL.sub(" ", text).lower())


def _where(url: str) -> str:
    """Path and query, percent-decoded: where a request goes, without the host."""
    parts = urlsplit(url)
    return unquote(parts.path + ("?" + parts.query if parts.query else ""))


def body_words(post_data: str | None) -> str:
    """What a request body says about itself: its field names and identifier-like values.

    Free text the crawler typed (a remark such as "测试订单，请勿发货", an address) is left out:
    only keys, and values that look like commands (`action=place_order`), are read.
    """
    if not post_data:
        return ""
    text = post_data[:MAX_BODY_CHARS]
    pairs: list[tuple[str, str]] = []
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            pairs = list(_json_pairs(json.loads(stripped)))
        except ValueError:
            pairs = []
    if not pairs and "=" in text:
        pairs = parse_qsl(text, keep_blank_values=True)
    if not pairs:
        return text[:400] if re.fullmatch(r"[\w\-./:]{1,400}", text) else ""
    words = []
    for key, value in pairs[:200]:
        words.append(key)
        value = str(value)
        if re.fullmatch(r"[A-Za-z_\-]{1,40}", value) or re.fullmatch(
            r"[\u4e00-\u9fff]{1,6}", value
        ):
            words.append(value)
    return " ".join(words)


def _json_pairs(data: Any, depth: int = 0) -> Any:
    if depth > 6:
        return
    if isinstance(data, dict):
        for key, value in list(data.items())[:200]:
            if isinstance(value, dict | list):
                yield str(key), ""
                yield from _json_pairs(value, depth + 1)
            else:
                yield str(key), "" if value is None else str(value)
    elif isinstance(data, list):
        for value in data[:50]:
            yield from _json_pairs(value, depth + 1)


MAX_METHOD_FIELDS = 4  # a method choice, a token, maybe a sub-choice: a form is no bigger
METHOD_VALUE = re.compile(r"[A-Za-z0-9_\-.:]{1,64}")
ACCOUNT_DIGITS = re.compile(r"\d{6,}")  # a card, account or phone number: never a method's code


def is_payment_method_choice(words: GuardWords, url: str, post_data: str | None) -> bool:
    """True when a request is nothing but a payment-method choice (see the module docstring):
    the URL path names payment and a choice, the body holds a method choice and at most an
    anti-forgery token, every value a short identifier without a long digit run."""
    path = set(tokens(unquote(urlsplit(url).path)))
    if not (path & words.method_path_payment and path & words.method_path_choice):
        return False
    pairs = _form_pairs(post_data or "")
    if pairs is None or not 0 < len(pairs) <= MAX_METHOD_FIELDS:
        return False
    chosen = False
    for key, value in pairs:
        if words.token_keys.search(key):
            continue
        key_tokens = tokens(key)
        if not key_tokens or not set(key_tokens) <= words.method_keys:
            return False  # a field that is not a method choice: an address, an email, a card
        if not METHOD_VALUE.fullmatch(value) or ACCOUNT_DIGITS.search(value):
            return False
        chosen = True
    return chosen


# GraphQL documents: string literals and comments are cut before looking for operation words.
_GRAPHQL_STRINGS = re.compile(r'"""[\s\S]*?"""|"(?:\\.|[^"\\])*"')
_GRAPHQL_COMMENT = re.compile(r"#[^\n]*")
_GRAPHQL_WRITE = re.compile(r"\b(?:mutation|subscription)\b")
MAX_GRAPHQL_BATCH = 20


def graphql_reads(post_data: str | None) -> str | None:
    """The documents of a POST body that is GraphQL queries and nothing else (see the module
    docstring), or None: JSON with a `query` document (or a batch of them) that starts as a
    query or selection set and holds no `mutation` or `subscription`. A persisted query sent by
    hash alone cannot be read, so it is not one."""
    text = (post_data or "")[:MAX_BODY_CHARS].strip()
    if not text.startswith(("{", "[")):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None  # not JSON, or cut at the size limit
    operations = data if isinstance(data, list) else [data]
    if not 0 < len(operations) <= MAX_GRAPHQL_BATCH:
        return None
    documents = []
    for operation in operations:
        if not isinstance(operation, dict) or not isinstance(operation.get("query"), str):
            return None
        document = _GRAPHQL_STRINGS.sub('""', operation["query"])
        document = _GRAPHQL_COMMENT.sub(" ", document).strip()
        if not document.startswith(("query", "{", "fragment")):
            return None
        if _GRAPHQL_WRITE.search(document):
            return None
        documents.append(document)
    return "\n".join(documents)


def _form_pairs(post_data: str) -> list[tuple[str, str]] | None:
    """Key/value pairs of a form or flat JSON body, or None when it is something else."""
    text = post_data[:MAX_BODY_CHARS].strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if not isinstance(data, dict) or any(isinstance(v, dict | list) for v in data.values()):
            return None  # nested data (an address, a cart) is more than a choice
        return [(str(k), "" if v is None else str(v)) for k, v in data.items()]
    if "=" not in text:
        return None
    return parse_qsl(text, keep_blank_values=True)


class OrderGuard:
    """Decides, records and (when enforcing) blocks requests the crawler's actions cause."""

    def __init__(
        self,
        words: GuardWords,
        *,
        enforce: bool,
        step_of: Callable[[], str] = lambda: "",
        redact: Callable[[str], str] = lambda s: s,
    ):
        self.words = words
        self.enforce = enforce
        self.stage = "browse"
        self.rows: list[dict[str, Any]] = []  # what the bundle keeps (bounded)
        self.recent: deque[dict[str, Any]] = deque(maxlen=200)  # what "since this click" reads
        self.counts = {"allowed": 0, "blocked": 0}
        self.incidents: list[dict[str, Any]] = []
        self._seq = 0  # every decision's number, for "what happened since this click"
        self._step_of = step_of
        self._redact = redact

    # --- the rules ------------------------------------------------------------------------------
    def decide(self, method: str, url: str, post_data: str | None = None) -> Decision:
        method = method.upper()
        where = _where(url)
        sent = body_words(post_data) if method in SENDING_METHODS else ""
        said = f"{where} {sent}"
        strong = self.words.strong.search(said)
        if strong:
            return Decision(False, f"names order creation ('{strong.group(0)}')")
        reads = graphql_reads(post_data) if method in SENDING_METHODS else None
        if reads is not None:
            # Field names are what a GraphQL document asks the store to do: read them too.
            strong = self.words.strong.search(f"{where} {' '.join(tokens(reads))}")
            if strong:
                return Decision(False, f"names order creation ('{strong.group(0)}')")
            verb = self.words.names(where, self.words.verbs, self.words.verbs_cjk)
            if verb and self.stage in ("checkout", "review"):
                return Decision(False, f"link could create an order ('{verb}')")
            return Decision(True, "GraphQL query: it reads, as a GET does")
        if self.stage == "review" and method in SENDING_METHODS:
            return Decision(False, "sends data from the final review page")
        if self.stage not in ("checkout", "review"):
            return Decision(True, "outside the checkout: only named order creation is held back")
        w = self.words
        if method in SENDING_METHODS:
            hit = w.names(said, w.verbs | w.nouns, w.verbs_cjk + w.nouns_cjk)
            if hit:
                return Decision(False, f"could create an order ('{hit}' in the request)")
            step = w.names(unquote(urlsplit(url).path), w.step_words, w.step_words_cjk)
            if step:
                return Decision(True, f"checkout step form ('{step}')")
            if self.stage == "checkout" and is_payment_method_choice(w, url, post_data):
                return Decision(True, "payment-method selection (only a method choice is sent)")
            return Decision(False, "could create an order (not told apart from a step form)")
        verb = w.names(where, w.verbs, w.verbs_cjk)
        if verb:
            return Decision(False, f"link could create an order ('{verb}')")
        return Decision(True, "GET of a checkout page")

    def allows(self, method: str, url: str, resource: str = "document") -> bool:
        """For requests made outside the browser (link checks, file fetches)."""
        return self._record(method, url, resource, self.decide(method, url))

    # --- Playwright side ------------------------------------------------------------------------
    async def install(self, context: Any) -> None:
        """Route every request of the context through the guard, and read the JSON answers to
        what it let through for a new order's number."""
        await context.route("**/*", self._route)
        context.on("response", self._on_response)

    async def _on_response(self, response: Any) -> None:
        if self.stage not in ("checkout", "review"):
            return
        try:
            request = response.request
            if request.method.upper() not in SENDING_METHODS:
                return
            if graphql_reads(request.post_data) is not None:
                return  # a read's answer lists orders that exist already (the customer's own)
            if "json" not in (response.headers.get("content-type") or "").lower():
                return
            length = int(response.headers.get("content-length") or 0)
            if not 0 < length <= MAX_ANSWER_BYTES:
                return  # no length (a stream) or too long: not a small "order created" answer
            number = self.order_number_in(json.loads(await response.body()))
        except Exception:  # noqa: BLE001 - an answer we cannot read says nothing
            return
        if number:
            self.incident(
                self._step_of(),
                f"the answer to {request.method} named a new order ({number})",
                {"method": request.method.upper(), "url": self._redact(request.url)[:300]},
            )

    async def _route(self, route: Any, request: Any) -> None:
        resource = request.resource_type
        if resource in STATIC_TYPES:
            await route.fallback()
            return
        body = None
        if request.method.upper() in SENDING_METHODS:
            try:
                buffer = request.post_data_buffer or b""
                body = buffer[:MAX_BODY_CHARS].decode("utf-8", errors="replace")
            except Exception:  # noqa: BLE001 - an unreadable body says nothing
                body = ""
        decision = self.decide(request.method, request.url, body)
        if self._record(request.method, request.url, resource, decision):
            await route.fallback()
        else:
            await route.abort(BLOCK_REASON)

    def _record(self, method: str, url: str, resource: str, decision: Decision) -> bool:
        """Count and (within bounds) keep the decision; True when the request may go."""
        allowed = decision.allowed or not self.enforce
        self._seq += 1
        self.counts["allowed" if allowed else "blocked"] += 1
        interesting = (
            not allowed
            or not decision.allowed  # would have been blocked: shown on test stores too
            or method.upper() in SENDING_METHODS
            or (self.stage in ("checkout", "review") and resource == "document")
        )
        if interesting:
            row = {
                "seq": self._seq,
                "step": self._step_of(),
                "stage": self.stage,
                "method": method.upper(),
                "url": self._redact(url)[:300],
                "resource": resource,
                "decision": "allowed" if allowed else "blocked",
                "rule": decision.rule,
                "at": round(time.time(), 3),
            }
            self.recent.append(row)
            if len(self.rows) < MAX_ROWS:
                self.rows.append(row)
        return allowed

    def mark(self) -> int:
        """A point in the decision sequence; `blocked_since(mark)` lists what came after."""
        return self._seq

    def blocked_since(self, mark: int) -> list[dict[str, Any]]:
        return [r for r in self.recent if r["seq"] > mark and r["decision"] == "blocked"]

    def sent_since(self, mark: int) -> list[dict[str, Any]]:
        """Requests that sent data and were let through after the mark."""
        return [
            r
            for r in self.recent
            if r["seq"] > mark and r["decision"] == "allowed" and r["method"] in SENDING_METHODS
        ]

    # --- did an order appear? --------------------------------------------------------------------
    def order_said(self, text: str) -> str:
        """The words of a page saying an order now exists, or ""."""
        m = self.words.created.search(text or "")
        return m.group(0)[:120] if m else ""

    def order_number_in(self, payload: Any) -> str:
        """A new order's number in a JSON answer ({"orderId": "A123"}), or ""."""
        for key, value in _json_pairs(payload):
            if key.lower() in self.words.order_keys and str(value).strip() not in ("", "0"):
                return f"{key}={str(value)[:40]}"
        return ""

    def incident(self, step: str, how: str, request: dict[str, Any] | None) -> dict[str, Any]:
        row = {
            "step": step,
            "stage": self.stage,
            "what": how,
            "method": (request or {}).get("method", ""),
            "url": (request or {}).get("url", ""),
        }
        self.incidents.append(row)
        return row

    def summary(self) -> dict[str, Any]:
        return {
            "mode": "enforce" if self.enforce else "record",
            "allowed": self.counts["allowed"],
            "blocked": self.counts["blocked"],
            "decisions": self.rows,
            "incidents": self.incidents,
        }


def blocked_message(rows: list[dict[str, Any]]) -> str:
    """The step's error when the guard held back what a click or link would have sent."""
    first = rows[0]
    more = f" (+{len(rows) - 1} more)" if len(rows) > 1 else ""
    return (
        f"not sent: could create an order ({first['method']} {first['url']}: {first['rule']}){more}"
    )
