"""Chinese renderings of the checks' English reasons, from data (reasons_zh.yaml), not code.

Check functions write their reasons in English f-strings; an auditor reading the standard in
Chinese needs them in Chinese too. Rather than a second string in every check, reasons_zh.yaml
holds English patterns (regular expressions with named groups) and Chinese templates. A reason
is rendered by the first pattern that matches it whole; its groups are rendered in turn:

- a group named `v_...` is store text or a number and is copied verbatim;
- a group named `d_...` is a detail (a crawler's error, a probe's message) rendered when a
  pattern or term knows it, else copied verbatim;
- any other group must itself render (a term, a pattern, or a list of those).

A text no pattern matches whole is tried as two sentences ("A. B."), clauses ("A; B") or a list
("A, B"), each part rendered on its own. `reason_zh` returns None when some part has no
rendering; tests/test_reasons_zh.py runs every case and demo bundle to keep that from happening.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import yaml

REASONS_ZH = Path(__file__).with_name("reasons_zh.yaml")
MAX_SPLIT = 600  # longer texts are not split into parts (bounded work on hostile store text)
_LATIN = re.compile(r"[A-Za-z]")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Where a text may be split into parts rendered apart, and how the Chinese joins them.
_SPLITS = ((". ", "。"), ("; ", "；"), (", ", "、"), (" and ", "和"))


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    zh: str


@cache
def _table() -> tuple[dict[str, str], tuple[_Pattern, ...]]:
    data = yaml.safe_load(REASONS_ZH.read_text(encoding="utf-8")) or {}
    terms = {str(k): str(v) for k, v in (data.get("terms") or {}).items()}
    patterns = []
    for entry in data.get("patterns") or []:
        regex = re.compile(entry["en"], re.S)
        missing = set(_PLACEHOLDER.findall(entry["zh"])) - set(regex.groupindex)
        if missing:
            raise ValueError(f"{REASONS_ZH}: {entry['en']!r}: template names unknown {missing}")
        patterns.append(_Pattern(regex, entry["zh"]))
    return terms, tuple(patterns)


def _fill(pattern: _Pattern, match: re.Match[str]) -> str | None:
    values: dict[str, str] = {}
    for name, text in match.groupdict(default="").items():
        if name.startswith("v_") or not text:
            values[name] = text
        elif name.startswith("d_"):
            values[name] = _render(text) or text
        else:
            rendered = _render(text)
            if rendered is None:
                return None
            values[name] = rendered
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], pattern.zh)


@lru_cache(maxsize=4096)
def _render(text: str) -> str | None:
    text = text.strip()
    if not text:
        return ""
    if not _LATIN.search(text):
        return text  # Chinese (store text, or a term the check already wrote in Chinese)
    terms, patterns = _table()
    bare = text.rstrip(".")
    if bare in terms:
        return terms[bare] + ("。" if bare != text else "")
    for pattern in patterns:
        match = pattern.regex.fullmatch(text)
        if match:
            filled = _fill(pattern, match)
            if filled is not None:
                return filled
    if len(text) > MAX_SPLIT:
        return None
    for separator, joiner in _SPLITS:
        start = 0
        while (at := text.find(separator, start)) != -1:
            head = text[: at + 1] if separator == ". " else text[:at]
            tail = text[at + len(separator) :]
            left = _render(head)
            right = _render(tail) if left is not None else None
            if left is not None and right is not None:
                if joiner == "。":
                    left = left.rstrip("。")
                return left + joiner + right
            start = at + 1
    return None


def reason_zh(text: str) -> str | None:
    """The Chinese rendering of an English reason, or None when some part has no rendering."""
    return _render(text)


def zh_or_en(text: str) -> str:
    """For display: the Chinese rendering, or the English text when there is none."""
    return _render(text) or text
