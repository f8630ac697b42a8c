"""Keep credentials and the logged-in customer's personal data out of the bundle.

The `Redactor` learns secrets as the scan goes (the login name and password, then the e-mail,
phone and names read from the profile page) and replaces them with "[redacted]" in HTML,
facts, step rows and downloaded files. On pages seen while logged in it also replaces e-mail
addresses and mobile numbers that are not store-wide contact data (those seen on public pages
before login are kept, because checks need the store's hotline and service mailbox).
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from .bundle import REDACTED

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# Chinese mobile numbers and international numbers written with a leading "+".
PHONE_RE = re.compile(
    r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)"
    r"|\+\d{1,3}[\s-]?\d[\d\s-]{6,14}\d(?!\d)"
)
PERSONAL_PATTERNS = (EMAIL_RE.pattern, PHONE_RE.pattern)
MIN_SECRET = 3  # shorter strings would redact ordinary words


class Redactor:
    def __init__(self) -> None:
        self.secrets: set[str] = set()
        self.keep: set[str] = set()  # store-wide contacts and our own fake data

    def add_secret(self, value: str | None) -> None:
        value = (value or "").strip()
        if len(value) < MIN_SECRET or value == REDACTED:
            return
        self.secrets.add(value)
        local = value.split("@")[0] if "@" in value else ""
        if len(local) >= 5:  # "zhang.wei" from zhang.wei@example.com shows up in greetings
            self.secrets.add(local)

    def add_keep(self, text: str) -> None:
        """Remember store-wide e-mails/phones on a public page: they are not the customer's."""
        for m in EMAIL_RE.finditer(text or ""):
            self.keep.add(m.group(0).lower())
        for m in PHONE_RE.finditer(text or ""):
            self.keep.add(m.group(0).lower())

    def _variants(self) -> list[str]:
        out: set[str] = set()
        for s in self.secrets:
            out.update({s, html.escape(s), quote(s, safe=""), quote_plus(s)})
        return sorted(out, key=len, reverse=True)

    def text(self, value: str, personal: bool = False) -> str:
        """Redact secrets; with personal=True also unknown e-mails and phone numbers."""
        if not value or not isinstance(value, str):
            return value
        for secret in self._variants():
            if secret and secret.lower() in value.lower():
                value = re.sub(re.escape(secret), REDACTED, value, flags=re.IGNORECASE)
        if personal:
            value = EMAIL_RE.sub(self._unless_kept, value)
            value = PHONE_RE.sub(self._unless_kept, value)
        return value

    def _unless_kept(self, m: re.Match[str]) -> str:
        return m.group(0) if m.group(0).lower() in self.keep else REDACTED

    def data(self, value: Any, personal: bool = False) -> Any:
        """Redact every string inside a JSON-like value."""
        if isinstance(value, str):
            return self.text(value, personal)
        if isinstance(value, list):
            return [self.data(v, personal) for v in value]
        if isinstance(value, dict):
            return {k: self.data(v, personal) for k, v in value.items()}
        return value

    def css_needles(self) -> list[str]:
        return sorted(self.secrets)

    # --- downloaded files ----------------------------------------------------------------------
    def file(self, path: Path, personal: bool = True) -> None:
        """Redact a downloaded file in place: CSV/TSV/text as text, XLSX cell by cell."""
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            self._xlsx(path, personal)
            return
        raw = path.read_bytes()
        if b"\x00" in raw[:2048] and suffix not in (".csv", ".tsv", ".txt"):
            return  # binary we cannot read (e.g. legacy .xls); parse step reports it
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            return
        cleaned = self.text(text, personal)
        if cleaned != text:
            path.write_bytes(
                cleaned.encode("utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8")
            )

    def _xlsx(self, path: Path, personal: bool) -> None:
        import openpyxl

        book = openpyxl.load_workbook(path)
        changed = False
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        new = self.text(cell.value, personal)
                        if new != cell.value:
                            cell.value = new
                            changed = True
        if changed:
            book.save(path)
