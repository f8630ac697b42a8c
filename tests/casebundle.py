"""Build small bundles from check cases, as axe-core builds rule fixtures from HTML snippets.

A case file is tests/cases/<clause id>.yaml holding a list of cases:

    - name: maker and origin in the spec table
      expect: pass                   # pass | fail | not_applicable | needs_review
      pages:                         # page kind -> HTML, or a list of HTML for several pages
        product: |
          <html><body>...</body></html>
      facts:                         # optional, as facts.json (docs/bundle-format.md)
        cart_add: {step: cart, added: true, cart_contains: true}
      steps:                         # optional extra step rows (e.g. a blocked login)
        - {kind: orders, status: blocked, error: "login needs a human: captcha"}
      store: {is_test_store: false}  # optional manifest "store" fields

A case stands for a bundle after a full journey: a page kind that items search (the
catalogue's `searches`) and that the case gives neither a page nor a step for was searched and
is absent (a blocked step tagged not_found). Give a step row to say it was not reached instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from b2cect.checks.registry import catalogue
from b2cect.crawler.bundle import NOT_FOUND_TAG, STEP_BLOCKED, Bundle, BundleWriter, Step


def searched_kinds() -> set[str]:
    return {kind for item in catalogue().values() for kind in item.searches}


def make_bundle(
    root: Path,
    pages: dict[str, Any] | None = None,
    facts: dict[str, Any] | None = None,
    steps: list[dict[str, Any]] | None = None,
    store: dict[str, Any] | None = None,
) -> Bundle:
    writer = BundleWriter(
        root,
        store={
            "url": "http://shop.test/",
            "name": "case",
            "demo": None,
            "is_test_store": False,
            **(store or {}),
        },
        tool={"name": "b2cect", "version": "test"},
    )
    for kind, html in (pages or {}).items():
        for n, doc in enumerate(html if isinstance(html, list) else [html]):
            step_id = writer.unique_id(kind)
            rel = writer.write_text(f"pages/{step_id}.html", doc)
            writer.add_step(
                Step(
                    id=step_id,
                    kind=kind,
                    url=f"http://shop.test/{kind}/{n}",
                    html=rel,
                    title=f"{kind} {n}",
                )
            )
    for row in steps or []:
        row = dict(row)
        row.setdefault("id", writer.unique_id(row["kind"]))
        writer.add_step(Step.from_dict(row))
    given = {s.kind for s in writer.steps}
    for kind in sorted(searched_kinds() - given):
        writer.add_step(
            Step(
                id=writer.unique_id(kind),
                kind=kind,
                status=STEP_BLOCKED,
                error=f"no {kind} link found",
                tags=[NOT_FOUND_TAG],
            )
        )
    for name, value in (facts or {}).items():
        writer.set_fact(name, value)
    writer.finish({"name": "none", "version": "test"})
    return Bundle(root)
