"""Checkout steps that need a choice before they go on: shipping or payment methods listed with
a "Select"/"选择" button each (and no separate continue control).

`choice_step()` reads every option's row (name, price, delivery time) into the
`checkout_choices` fact (one entry per such step under `steps`), adds delivery rows to the
checkout's delivery options, and returns a step action that presses the first option's button
that neither pays nor places the order.
Radios with a separate continue control are filled by the checkout form filler as before.
"""

from __future__ import annotations

import re
from typing import Any

from .bundle import Step
from .discovery import Candidate, normalise
from .session import Crawl

FREE_RE = re.compile(r"免费|免运费|包邮|\bfree\b", re.I)
MIN_CHOICES = 2  # one "Select" button is a lone action, not a list of options
TIME_RE = re.compile(
    r"\d+\s*[-–~至到]\s*\d+\s*(个)?(工作日|天|日|working days?|business days?|days?)|"
    r"(次日|当日|隔日|next[- ]day|same[- ]day)(达|送达|delivery)?|"
    r"\d+\s*(个)?(工作日|天|(working |business )?days?)",
    re.I,
)


async def choice_step(c: Crawl, state: dict[str, Any]):
    """A step action choosing an option on this checkout page, or None when the page lists no
    options with a button each."""
    cands = await c.candidates(context=True)
    buttons = [
        f
        for f in c.vocab.rank("choose_option", [x for x in cands if _acts_here(x)], c.origin, 0.5)
        if f.candidate.context and not _pays(c, f.candidate)
    ]
    rows = {normalise(f.candidate.context): f for f in buttons}
    if len(rows) < MIN_CHOICES:
        return None
    options = [_option(c, row, f.candidate) for row, f in rows.items()]
    kind = "delivery" if _is_delivery(c, options) else "other"
    chosen = sorted(rows.values(), key=lambda f: f.candidate.index)[0]

    async def action(step: Step) -> None:
        step.url = c.page.url
        for option in options:
            option["chosen"] = option["row"] == normalise(chosen.candidate.context)
        # Every choice step is kept (a shipping and a payment step may each list options); the
        # top level is the first delivery step, else the first step.
        steps = state.setdefault("choice_steps", [])
        steps.append({"step": step.id, "kind": kind, "options": [_public(o) for o in options]})
        first = next((s for s in steps if s["kind"] == "delivery"), steps[0])
        c.writer.set_fact("checkout_choices", {**first, "steps": steps})
        if kind == "delivery":
            for option in options:
                entry = {
                    "label": option["label"],
                    "group": "delivery",  # a name the delivery checks read as such
                    "price_text": option["price_text"],
                    "note": option["time_text"],
                }
                if entry not in state["options"]["delivery"]:
                    state["options"]["delivery"].append(entry)
        label = options[[o["chosen"] for o in options].index(True)]["label"]
        step.found_by = f"{chosen.found_by} for option '{label[:40]}' (first of {len(options)})"
        step.confidence = chosen.confidence
        await c.click(chosen, wait_ms=250)

    return action


def _acts_here(cand: Candidate) -> bool:
    return not cand.href or cand.href.startswith("javascript:") or "#" in cand.href


def _pays(c: Crawl, cand: Candidate) -> bool:
    """A button that pays or places the order is never a choice to press: by its words alone,
    whatever the targets' avoid lists say ("使用此方式支付" is a pay button, not a method)."""
    return c.vocab.acts_on_order(f"{cand.text} {cand.aria}") or any(
        c.vocab.score(t, cand)[0] >= 0.5 for t in ("place_order", "pay", "buy_now")
    )


def price_and_time(c: Crawl, label: str) -> tuple[str, str]:
    """The charge ("¥8.00", or the word saying it is free) and the delivery time an option's
    label states, each "" when it states none."""
    price = c.vocab.pattern("patterns", "price").search(label)
    free = FREE_RE.search(label)
    when = TIME_RE.search(label)
    return (
        price.group(0) if price else (free.group(0) if free else ""),
        when.group(0) if when else "",
    )


def _option(c: Crawl, row: str, cand: Candidate) -> dict[str, Any]:
    button = normalise(cand.text or cand.aria)
    label = normalise(row.replace(button, " ", 1)) if button else row
    price_text, time_text = price_and_time(c, label)
    return {
        "row": row,
        "label": label[:120],
        "price_text": price_text,
        "time_text": time_text,
        "button": button[:40],
        "selector": cand.path,
        "chosen": False,
    }


def _is_delivery(c: Crawl, options: list[dict[str, Any]]) -> bool:
    text = " ".join(o["label"] for o in options)
    return bool(
        c.vocab.classify_field({"label": text}) == "delivery"
        or any(o["time_text"] for o in options)
    )


def _public(option: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in option.items() if k != "row"}
