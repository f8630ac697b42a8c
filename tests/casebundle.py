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
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from b2cect.crawler.bundle import Bundle, BundleWriter, Step


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
    for name, value in (facts or {}).items():
        writer.set_fact(name, value)
    writer.finish({"name": "none", "version": "test"})
    return Bundle(root)
