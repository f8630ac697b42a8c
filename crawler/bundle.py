"""Snapshot bundles: the folder a scan writes and every check reads.

The format is documented in docs/bundle-format.md. This module holds both sides of it:
`BundleWriter` (used by the crawler while it walks a store) and `Bundle` (used by checks and
by `b2cect audit`). It must not import Playwright: offline audits run without a browser.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import lxml.html

FORMAT_NAME = "b2cect-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FACTS = "facts.json"

# Step outcomes. A step that never ran because an earlier one could not give it what it needs
# (no credentials, login wall, nothing found) is "skipped" or "blocked", with a reason.
STEP_OK = "ok"
STEP_FAILED = "failed"  # ran and raised, or timed out; `error` says what happened
STEP_SKIPPED = "skipped"  # deliberately not run (safety rule, option, nothing to do)
STEP_BLOCKED = "blocked"  # could not run: login wall, captcha, page not found by discovery
STEP_STATUSES = (STEP_OK, STEP_FAILED, STEP_SKIPPED, STEP_BLOCKED)
# Tag of a blocked step whose link or control discovery searched for and did not find: the
# store lacks it (an observation), as opposed to a step the crawler could not get to.
NOT_FOUND_TAG = "not_found"

# The kinds of page a journey can land on. Checks ask for pages by kind; discovery labels what
# it finds with these names. Keep this list and docs/bundle-format.md in step.
PAGE_KINDS = (
    "home",
    "listing",
    "search",
    "product",
    "cart",
    "checkout",
    "checkout_review",
    "payment",
    "payment_result",
    "order_confirmation",
    "login",
    "register",
    "password_reset",
    "account",
    "profile",
    "addresses",
    "favourites",
    "orders",
    "order_detail",
    "order_print",
    "orders_print",
    "returns",
    "help",
    "payment_help",
    "delivery_help",
    "after_sales",
    "privacy",
    "terms",
    "about",
    "licence",
    "contact",
    "complaint",
    "notices",
    "info",
)

# Marks the crawler puts on the rendered HTML before saving it (see docs/bundle-format.md).
HIDDEN_ATTR = "data-b2cect-hidden"  # never visible to a customer, even after opening tabs
REDACTED = "[redacted]"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Step:
    """One command of the journey and what came of it (one history row, as in OpenWPM)."""

    id: str  # unique in the bundle, e.g. "product-2"
    kind: str  # one of PAGE_KINDS, or a probe name for steps that are not a page
    status: str = STEP_OK
    url: str = ""  # the URL asked for
    final_url: str = ""  # where the browser ended up (after redirects / client routing)
    title: str = ""
    html: str = ""  # bundle-relative path of the rendered HTML, "" when none was saved
    screenshot: str = ""  # bundle-relative path of the PNG, "" when none
    started: str = ""
    duration_ms: int = 0
    error: str = ""  # for failed/blocked/skipped: what happened, in plain words
    found_by: str = ""  # how discovery found the URL/control: "profile", "link text", ...
    confidence: float = 1.0
    timings: dict[str, float] = field(default_factory=dict)  # navigation timing, ms
    tags: list[str] = field(default_factory=list)  # free labels, e.g. "out_of_stock"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Step:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


class Page:
    """A saved page of the bundle, parsed once and shared by every check."""

    def __init__(self, bundle: Bundle, step: Step):
        self.bundle = bundle
        self.step = step
        # Values derived from the parsed page (text index, ...) that several checks share.
        self.derived: dict[str, Any] = {}

    @property
    def kind(self) -> str:
        return self.step.kind

    @property
    def url(self) -> str:
        return self.step.final_url or self.step.url

    @property
    def screenshot(self) -> str:
        return self.step.screenshot

    @cached_property
    def html(self) -> str:
        return (self.bundle.root / self.step.html).read_text(encoding="utf-8", errors="replace")

    @cached_property
    def tree(self) -> lxml.html.HtmlElement:
        return lxml.html.document_fromstring(self.html or "<html></html>")

    def __repr__(self) -> str:
        return f"Page({self.step.id!r}, {self.url!r})"


class Bundle:
    """Read side of a snapshot bundle."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        manifest_path = self.root / MANIFEST
        if not manifest_path.is_file():
            raise FileNotFoundError(f"{self.root} is not a b2cect bundle (no {MANIFEST})")
        self.manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
        if self.manifest.get("format") != FORMAT_NAME:
            raise ValueError(f"{manifest_path}: not a {FORMAT_NAME} manifest")
        if int(self.manifest.get("version", 0)) > FORMAT_VERSION:
            raise ValueError(
                f"{manifest_path}: bundle format {self.manifest.get('version')} is newer than "
                f"this b2cect understands ({FORMAT_VERSION}); upgrade b2cect"
            )
        self.steps: list[Step] = [Step.from_dict(s) for s in self.manifest.get("steps", [])]
        facts_path = self.root / FACTS
        self.facts: dict[str, Any] = (
            json.loads(facts_path.read_text(encoding="utf-8")) if facts_path.is_file() else {}
        )
        self._pages: dict[str, Page] = {}

    # --- what the store is ----------------------------------------------------------------
    @property
    def store(self) -> dict[str, Any]:
        return self.manifest.get("store", {})

    def unreachable(self) -> str | None:
        """Why the store could not be opened at all, or None when it was.

        From the manifest's `run` (scans since it was recorded); for older bundles, from a
        start-page step that did not open.
        """
        run = self.manifest.get("run")
        if isinstance(run, dict) and "status" in run:
            if run["status"] == "unreachable":
                return str(run.get("reason") or "the start page was not opened")
            return None
        home = next((s for s in self.steps if s.kind == "home"), None)
        if home is not None and (home.status != STEP_OK or not home.html):
            return home.error or "the start page was not opened"
        return None

    # --- steps and pages --------------------------------------------------------------------
    def steps_of(self, *kinds: str) -> list[Step]:
        return [s for s in self.steps if not kinds or s.kind in kinds]

    def reached(self, kind: str) -> bool:
        return any(s.status == STEP_OK and s.html for s in self.steps_of(kind))

    def why_not_reached(self, kind: str) -> str:
        """A plain reason a page kind is missing: the failed/blocked step's error if any."""
        for step in self.steps_of(kind):
            if step.status != STEP_OK and step.error:
                return f"{kind} step {step.status}: {step.error}"
        return f"no {kind} page was reached"

    def pages(self, *kinds: str) -> list[Page]:
        """Saved pages of the given kinds (all kinds when none given), in journey order."""
        result = []
        for step in self.steps_of(*kinds):
            if step.status != STEP_OK or not step.html:
                continue
            page = self._pages.get(step.id)
            if page is None:
                page = self._pages[step.id] = Page(self, step)
            result.append(page)
        return result

    def page(self, kind: str) -> Page | None:
        found = self.pages(kind)
        return found[0] if found else None

    def fact(self, name: str) -> dict[str, Any] | None:
        value = self.facts.get(name)
        return value if isinstance(value, dict) else None

    def path(self, relative: str) -> Path:
        return self.root / relative

    # --- integrity ------------------------------------------------------------------------------
    def manifest_sha256(self) -> str:
        """SHA-256 of manifest.json itself: the manifest lists every other file's hash, so this
        one value, filed with a report, pins the whole bundle (`b2cect audit --expect-sha256`)."""
        return sha256_file(self.root / MANIFEST)

    def verify(self) -> list[str]:
        """Files whose SHA-256 differs from the manifest, or that are missing / unlisted."""
        problems = []
        listed: dict[str, str] = self.manifest.get("files", {})
        for rel, digest in sorted(listed.items()):
            path = self.root / rel
            if not path.is_file():
                problems.append(f"missing: {rel}")
            elif sha256_file(path) != digest:
                problems.append(f"altered: {rel}")
        for path in sorted(self.root.rglob("*")):
            rel = path.relative_to(self.root).as_posix()
            if path.is_file() and rel != MANIFEST and rel not in listed:
                problems.append(f"unlisted: {rel}")
        return problems


class BundleWriter:
    """Write side: the crawler adds steps, files and facts, then `finish()` seals the manifest."""

    def __init__(self, root: Path | str, store: dict[str, Any], tool: dict[str, Any]):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        for sub in ("pages", "screens", "downloads"):
            (self.root / sub).mkdir(exist_ok=True)
        self.manifest: dict[str, Any] = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "store": store,
            "tool": tool,
            "browser": {},
            "started": utc_now(),
            "finished": "",
            "steps": [],
            "reach": [],
            "files": {},
        }
        self.facts: dict[str, Any] = {}
        self.steps: list[Step] = []

    def unique_id(self, kind: str) -> str:
        taken = {s.id for s in self.steps}
        if kind not in taken:
            return kind
        n = 2
        while f"{kind}-{n}" in taken:
            n += 1
        return f"{kind}-{n}"

    def add_step(self, step: Step) -> Step:
        self.steps.append(step)
        return step

    def write_text(self, relative: str, text: str) -> str:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return relative

    def write_bytes(self, relative: str, data: bytes) -> str:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return relative

    def set_fact(self, name: str, value: dict[str, Any]) -> None:
        self.facts[name] = value

    def finish(self, browser: dict[str, Any] | None = None) -> Path:
        self.manifest["browser"] = browser or self.manifest.get("browser", {})
        self.manifest["finished"] = utc_now()
        self.manifest["steps"] = [asdict(s) for s in self.steps]
        (self.root / FACTS).write_text(
            json.dumps(self.facts, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
        )
        self.manifest["files"] = {
            p.relative_to(self.root).as_posix(): sha256_file(p)
            for p in sorted(self.root.rglob("*"))
            if p.is_file() and p.name != MANIFEST
        }
        path = self.root / MANIFEST
        path.write_text(json.dumps(self.manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        return path
