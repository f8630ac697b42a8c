"""The sellers file: who to scan, and how politely.

YAML::

    fleet:
      contact: https://audits.example.org/b2cect   # goes into the User-Agent
      store_budget_s: 900      # a whole scan; the watchdog kills it after this
      store_memory_mib: 4096   # ... or when its processes (browser included) use more
      step_timeout_s: 20       # one journey step
      max_products: 6
      requests_per_second_per_host: 2.0
      pages_per_host: 2        # concurrent pages (scans) on one host, fleet-wide
    sellers:
      - id: hemu
        name: 禾木优选
        url: https://hemu.example.cn/
        profile: profiles/hemu.yaml     # optional, relative to the sellers file
        login_env: HEMU                 # HEMU_USER / HEMU_PASSWORD
        tags: [marketplace-a, food]
        schedule: "0 3 * * 1"           # cron, for `b2cect fleet schedule`
        store_budget_s: 1800            # optional: this store's own budget

CSV: a header row with id,name,url[,profile,login_env,tags,schedule]; tags separated by `;`.
The fleet settings of a CSV file are the defaults (or the command-line options).
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

SELLER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class SellersFileError(ValueError):
    """The sellers file cannot be used; the message says which line or field."""


@dataclass(frozen=True)
class Seller:
    id: str
    name: str
    url: str
    profile: str | None = None
    login_env: str = "B2CECT_LOGIN"
    tags: tuple[str, ...] = ()
    schedule: str | None = None  # a cron expression
    store_budget_s: float | None = None  # this store's budget, when not the fleet's

    @property
    def host(self) -> str:
        parts = urlsplit(self.url)
        return parts.netloc.lower()

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["tags"] = list(self.tags)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Seller:
        return cls(**{**data, "tags": tuple(data.get("tags") or ())})


@dataclass
class FleetSettings:
    contact: str = ""
    store_budget_s: float = 900
    # Memory of one scan's processes (resident, summed; browser included); 0: no limit.
    store_memory_mib: float = 4096
    step_timeout_s: float = 20
    max_products: int = 6
    requests_per_second_per_host: float = 2.0  # 0: no limit
    pages_per_host: int = 2
    obey_robots: bool = True
    browser: str | None = None

    def user_agent(self) -> str:
        """An honest User-Agent: the tool, its version, and whom to ask about it."""
        from b2cect.crawler.scan import TOOL_VERSION

        contact = f"; +{self.contact}" if self.contact else ""
        return f"Mozilla/5.0 (compatible; b2cect/{TOOL_VERSION}{contact})"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FleetSettings:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SellersFileError(f"unknown fleet setting(s): {', '.join(unknown)}")
        return cls(**data)


@dataclass
class SellersFile:
    path: Path
    settings: FleetSettings
    sellers: list[Seller] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Identifies the fleet across restarts: the file's absolute path and its sellers."""
        ids = ",".join(s.id for s in self.sellers)
        return hashlib.sha256(f"{self.path.resolve()}|{ids}".encode()).hexdigest()[:16]


def load_sellers(path: Path) -> SellersFile:
    """Read a sellers file (.yaml/.yml or .csv); profile paths become absolute."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        settings = FleetSettings()
        raw = [
            {**row, "tags": [t.strip() for t in (row.get("tags") or "").split(";") if t.strip()]}
            for row in rows
        ]
    else:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(doc, dict) or not isinstance(doc.get("sellers"), list):
            raise SellersFileError(f"{path}: expected a mapping with a `sellers:` list")
        settings = FleetSettings.from_dict(doc.get("fleet") or {})
        raw = doc["sellers"]
    sellers = [_seller(path, i, row) for i, row in enumerate(raw, start=1)]
    seen: set[str] = set()
    for s in sellers:
        if s.id in seen:
            raise SellersFileError(f"{path}: seller id {s.id!r} appears twice")
        seen.add(s.id)
    return SellersFile(path, settings, sellers)


def _seller(path: Path, number: int, row: dict[str, Any]) -> Seller:
    where = f"{path}: seller {number}"
    if not isinstance(row, dict):
        raise SellersFileError(f"{where}: expected a mapping")
    sid = str(row.get("id") or "").strip()
    url = str(row.get("url") or "").strip()
    if not SELLER_ID.match(sid):
        raise SellersFileError(f"{where}: id {sid!r} must be 1-64 of A-Z a-z 0-9 . _ -")
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise SellersFileError(f"{where} ({sid}): url {url!r} is not an http(s) URL")
    profile = str(row.get("profile") or "").strip() or None
    if profile and not Path(profile).is_absolute():
        profile = str((path.parent / profile).resolve())
    tags = row.get("tags") or []
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(";") if t.strip()]
    unknown = set(row) - {f.name for f in fields(Seller)}
    if unknown:
        raise SellersFileError(f"{where} ({sid}): unknown field(s) {', '.join(sorted(unknown))}")
    return Seller(
        id=sid,
        name=str(row.get("name") or sid).strip(),
        url=url,
        profile=profile,
        login_env=str(row.get("login_env") or "B2CECT_LOGIN").strip(),
        tags=tuple(str(t) for t in tags),
        schedule=str(row.get("schedule") or "").strip() or None,
        store_budget_s=float(row["store_budget_s"]) if row.get("store_budget_s") else None,
    )
