"""Pure readers: turn text and files the crawler saw into fact values (no browser here)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from .discovery import Vocabulary, normalise

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_DATE_PATTERNS = [
    # 2024-03-12, 2024/3/12, 2024.03.12, 2024年3月12日
    (
        re.compile(
            r"(?<!\d)(20\d\d|19\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?!\d)"
        ),
        lambda m: (int(m[1]), int(m[2]), int(m[3])),
    ),
    # 12 March 2024, 12 Mar. 2024
    (
        re.compile(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})(?!\d)"),
        lambda m: (int(m[3]), _MONTHS.get(m[2][:3].lower(), 0), int(m[1])),
    ),
    # March 12, 2024
    (
        re.compile(
            r"(?<![A-Za-z])([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)"
        ),
        lambda m: (int(m[3]), _MONTHS.get(m[1][:3].lower(), 0), int(m[2])),
    ),
    # 12/03/2024 (day first, as in Britain and most of the world)
    (
        re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)"),
        lambda m: (int(m[3]), int(m[2]), int(m[1])),
    ),
]


def find_dates(text: str) -> list[str]:
    """ISO dates written in the text, in order of appearance."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern, parts in _DATE_PATTERNS:
        for m in pattern.finditer(text or ""):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            try:
                y, mo, d = parts(m)
                iso = date(y, mo, d).isoformat()
            except (ValueError, TypeError):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), iso))
    return [iso for _, iso in sorted(found)]


def find_prices(text: str, vocab: Vocabulary) -> list[str]:
    return [m.group(0).strip() for m in vocab.pattern("patterns", "price").finditer(text or "")]


def availability(text: str, schema_values: list[str], vocab: Vocabulary) -> tuple[str, str]:
    """The stock state a product page states: (state, why). schema.org wins over page text."""
    for value in schema_values:
        low = value.lower()
        if "outofstock" in low or "soldout" in low or "discontinued" in low:
            return "out_of_stock", f"schema.org availability {value}"
        if "limitedavailability" in low:
            return "low_stock", f"schema.org availability {value}"
        if "instock" in low or "instoreonly" in low or "onlineonly" in low:
            # Page text may still say "only 2 left": check for low stock before settling.
            m = vocab.pattern("availability", "low_stock").search(text or "")
            if m:
                return "low_stock", f"schema.org InStock + text '{m.group(0)}'"
            return "in_stock", f"schema.org availability {value}"
    for state in ("out_of_stock", "low_stock", "in_stock"):
        m = vocab.pattern("availability", state).search(text or "")
        if m:
            return state, f"text '{m.group(0)}'"
    return "", ""


def order_rows(rows: list[dict[str, Any]], vocab: Vocabulary) -> list[dict[str, Any]]:
    """Orders from the text of table rows/list items on an order-history page.

    A row is an order when it holds a date; its reference is the first long code-like token
    (or the detail link's text), its total the first price.
    """
    orders = []
    for row in rows:
        text = normalise(row.get("text", ""))
        dates = find_dates(text)
        if not dates:
            continue
        ref = normalise(row.get("link_text", ""))
        if not re.search(r"\d{3,}", ref):
            m = re.search(r"(?<![\w.])[A-Za-z]{0,4}-?\d{4,}[\w-]*", text)
            ref = m.group(0) if m else ""
        prices = find_prices(text, vocab)
        orders.append(
            {
                "ref": ref,
                "date": dates[0],
                "status": _status_of(text),
                "total": prices[-1] if prices else "",
                "link": row.get("link", ""),
            }
        )
    return orders


_STATUS_WORDS = re.compile(
    r"待付款|待支付|待发货|已发货|待收货|已收货|已签收|已完成|交易完成|交易成功|已取消|已退款|退款中|退货中|"
    r"售后中|处理中|已付款|配送中|运输中|派送中|派送失败|配送失败|投递失败|"
    r"(?<![A-Za-z])(Pending(?: payment)?|Processing|Paid|Shipped|Dispatched|In transit|"
    r"Out for delivery|Delivery failed|Failed delivery|Delivered|Complete(?:d)?|Returning|"
    r"Return requested|Cancelled|Canceled|Refunded|Being processed|Awaiting payment|"
    r"On hold)(?![A-Za-z])",
    re.IGNORECASE,
)


def _status_of(text: str) -> str:
    m = _STATUS_WORDS.search(text)
    return m.group(0) if m else ""


def is_unshipped(status_text: str, vocab: Vocabulary) -> bool:
    return _status_in(status_text, vocab.words("unshipped_status"))


def is_delivered(status_text: str, vocab: Vocabulary) -> bool:
    return _status_in(status_text, vocab.words("delivered_status"))


def _status_in(status_text: str, words: list[str]) -> bool:
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    return bool(status_text and pattern.search(status_text))


# --- downloaded exports ----------------------------------------------------------------------

OFFICE_FORMATS = {"csv", "xlsx", "xls", "ods", "tsv"}


def sniff_format(path: Path, content_type: str = "") -> str:
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK"):
        return "xlsx" if path.suffix.lower() != ".ods" else "ods"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith(b"%PDF"):
        return "pdf"
    ctype = content_type.lower()
    suffix = path.suffix.lower().lstrip(".")
    if "csv" in ctype or suffix == "csv":
        return "csv"
    if suffix == "tsv" or "tab-separated" in ctype:
        return "tsv"
    if "json" in ctype or suffix == "json":
        return "json"
    if "html" in ctype or suffix in ("html", "htm"):
        return "html"
    return suffix or "unknown"


def parse_export(path: Path, content_type: str = "") -> dict[str, Any]:
    """What an exported order list holds: format, rows, columns, earliest/latest date."""
    import pandas as pd

    fmt = sniff_format(path, content_type)
    info: dict[str, Any] = {
        "format": fmt,
        "content_type": content_type,
        "office_format": fmt in OFFICE_FORMATS,
        "rows": 0,
        "columns": [],
        "earliest": "",
        "latest": "",
        "error": "",
    }
    try:
        if fmt in ("csv", "tsv"):
            sep = "\t" if fmt == "tsv" else None
            frame = None
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    frame = pd.read_csv(
                        path, sep=sep, engine="python", encoding=encoding, dtype=str, nrows=100_000
                    )
                    break
                except UnicodeDecodeError:
                    continue
            if frame is None:
                raise ValueError("text encoding not recognised")
        elif fmt in ("xlsx", "xls", "ods"):
            frame = pd.read_excel(path, dtype=str, nrows=100_000)
        else:
            info["error"] = f"not an office format ({fmt})"
            return info
    except Exception as exc:  # a broken file is a finding, not a crash
        info["error"] = f"could not parse: {exc}"[:200]
        return info
    info["rows"] = int(len(frame))
    info["columns"] = [str(c) for c in frame.columns]
    dates: list[str] = []
    for column in frame.columns:
        values = [str(v) for v in frame[column].dropna().tolist()[:5000]]
        col_dates = [d for v in values for d in find_dates(v)[:1]]
        if values and len(col_dates) >= max(1, len(values) // 2):
            dates.extend(col_dates)
    if dates:
        info["earliest"], info["latest"] = min(dates), max(dates)
    return info
