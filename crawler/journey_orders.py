"""Journey, part 4: order history (paging, year filters), order detail, print, export, returns."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .bundle import Step
from .discovery import Found, normalise
from .downloads import bounded_download, keep, safe_name
from .journey_browse import ROWS_JS
from .journey_checkout import fake_for
from .readers import is_delivered, is_unshipped, order_rows, parse_export
from .scripts import PRINT_STYLES_JS
from .session import Blocked, Crawl, NotFound, Skip

MAX_HISTORY_PAGES = 8
MAX_FILTERS = 6
MAX_EXTRA_DETAILS = 4  # order pages opened besides the first, one per order status
PERIOD_RE = re.compile(
    r"^(19|20)\d\d(年)?$|近\s*\S{1,3}\s*(个)?(月|年)|今年|去年|前年|更早|全部|"
    r"^all$|last \d+ (days|months)|past (year|\d+ years)|this year|last year|older",
    re.I,
)


async def orders(c: Crawl) -> None:
    if not c.logged_in:
        for kind in (
            "orders",
            "order_detail",
            "order_print",
            "orders_print",
            "order_export",
            "returns",
        ):
            await c.step(kind, _skip("not logged in"), capture="none")
        c.writer.set_fact("order_history", {"status": "skipped", "reason": "not logged in"})
        return
    history: dict[str, Any] = {"orders": [], "pages_walked": 0, "filters": []}
    step = await c.step("orders", _open_orders(c, history), timeout=max(c.step_timeout_s, 40))
    found = history["orders"]
    dates = sorted(o["date"] for o in found if o["date"])
    c.writer.set_fact(
        "order_history",
        {
            "step": step.id,
            "orders": [{k: o[k] for k in ("ref", "date", "status", "total")} for o in found][:200],
            "count": len(found),
            "earliest": dates[0] if dates else "",
            "latest": dates[-1] if dates else "",
            "pages_walked": history["pages_walked"],
            "filters": history["filters"],
            "status": "ok" if step.status == "ok" else step.status,
            "reason": step.error,
        },
    )
    if step.status != "ok":
        return
    orders_url = c.state["orders_url"]
    detail = await order_detail(c, found)
    await more_order_details(c, found)
    await print_views(c, detail, orders_url)
    await export(c, orders_url)
    if c.state.get("allow_order"):
        await return_request(c, detail, found)
        await cancel_order(c, found)
    else:
        c.writer.set_fact(
            "return_request",
            {"status": "skipped", "reason": "not a test store", "submitted": False},
        )
        c.writer.set_fact(
            "cancel_attempt",
            {"status": "skipped", "reason": "not a test store", "attempted": False},
        )
    await c.step("returns", _visit_returns(c))


def _skip(reason: str):
    async def action(step: Step) -> None:
        raise Skip(reason)

    return action


def _open_orders(c: Crawl, history: dict[str, Any]):
    async def action(step: Step) -> None:
        found = await c.find("orders", links_only=True, use_pool=True)
        if found is None:
            account = c.pool.get("account")
            if account is not None:
                await c.goto(account.url)
                found = await c.find("orders", links_only=True)
        if found is None:
            raise NotFound("no order history link found")
        step.found_by, step.confidence = found.found_by, found.confidence
        await c.goto(found.url, step)
        c.state["orders_url"] = c.page.url
        await _walk(c, history, c.page.url)
        step.tags = [f"orders:{len(history['orders'])}"]
        # Come back to the first page so the capture shows what a customer lands on.
        if c.page.url != c.state["orders_url"]:
            await c.goto(c.state["orders_url"])

    return action


async def _collect(c: Crawl, history: dict[str, Any]) -> int:
    rows = await c.page.evaluate(ROWS_JS, {})
    new = 0
    known = {(o["ref"], o["date"]) for o in history["orders"]}
    for order in order_rows(rows, c.vocab):
        key = (order["ref"], order["date"])
        if key not in known:
            known.add(key)
            history["orders"].append(order)
            new += 1
    history["pages_walked"] += 1
    return new


async def _walk(c: Crawl, history: dict[str, Any], start: str) -> None:
    """Read this page, follow 'next page' links, then try period/year filters."""
    await _follow_pages(c, history)
    await c.goto(start)
    filters = await _period_filters(c)
    history["filters"] = [f["text"] for f in filters]
    for flt in filters[:MAX_FILTERS]:
        try:
            if flt["kind"] == "link":
                await c.goto(flt["href"])
            else:
                await c.goto(start)
                loc = c.page.locator(flt["selector"])
                await loc.select_option(value=flt["value"])
                await c.settle(300)
                if c.page.url == start:
                    await loc.evaluate(
                        "el => el.form && (el.form.requestSubmit ?"
                        " el.form.requestSubmit() : el.form.submit())"
                    )
                    await c.settle(300)
            await _follow_pages(c, history)
        except Exception:  # noqa: BLE001 - one broken filter does not end the walk
            continue


async def _follow_pages(c: Crawl, history: dict[str, Any]) -> None:
    seen: set[str] = set()
    for _ in range(MAX_HISTORY_PAGES):
        seen.add(c.page.url)
        await _collect(c, history)
        cands = [x for x in await c.candidates() if x.href and c.same_site(x.href)]
        # rel="next" is the page telling us outright; otherwise the link text must say so.
        nxt = next(
            (
                Found("next_page", x, 0.95, "rel=next")
                for x in cands
                if "next" in x.rel.lower().split()
            ),
            None,
        )
        nxt = (
            nxt
            or await c.pinned("next_page")
            or c.vocab.best("next_page", cands, c.origin, minimum=0.5)
        )
        if nxt is None or nxt.url in seen:
            break
        await c.goto(nxt.url)


async def _period_filters(c: Crawl) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for f in await c.fields():
        if f["tag"] != "select" or not f["visible"]:
            continue
        for o in f["options"]:
            if PERIOD_RE.search(o["text"].strip()) and not o["selected"] and f["stable"]:
                # The walk reloads the page between filters: use a selector that survives it.
                out.append(
                    {
                        "kind": "select",
                        "text": o["text"],
                        "selector": f["stable"],
                        "value": o["value"],
                    }
                )
    for cand in await c.candidates():
        if cand.href and PERIOD_RE.search(normalise(cand.text)) and c.same_site(cand.href):
            if cand.href.split("#")[0] != c.page.url:
                out.append({"kind": "link", "text": normalise(cand.text), "href": cand.href})
    return out


async def order_detail(c: Crawl, found_orders: list[dict[str, Any]]) -> Step:
    async def action(step: Step) -> None:
        await c.goto(c.state["orders_url"])
        # A link inside an order row is the surest way in; the vocabulary is the fallback.
        rows = [o for o in found_orders if o.get("link") and c.same_site(o["link"])]
        cands = await c.candidates()
        pick = await c.pinned("order_detail") or c.vocab.best(
            "order_detail",
            [x for x in cands if x.href and x.region == "main"],
            c.origin,
            minimum=0.5,
        )
        if pick is not None and pick.found_by == "profile":
            step.found_by, step.confidence, url = "profile", 1.0, pick.url or c.page.url
        elif rows:
            url = rows[0]["link"]
            step.found_by, step.confidence = f"link in order row '{rows[0]['ref']}'", 0.8
            if pick is not None and pick.url == url:
                step.found_by, step.confidence = f"{pick.found_by} in order row", 0.9
        elif pick is not None:
            step.found_by, step.confidence, url = pick.found_by, pick.confidence, pick.url
        else:
            raise NotFound("no order detail link found")
        await c.goto(url, step)
        c.state["detail_url"] = c.page.url
        await _order_actions(c, step)

    return await c.step("order_detail", action)


async def more_order_details(c: Crawl, found_orders: list[dict[str, Any]]) -> None:
    """Open orders in other states too (shipped, failed delivery, delivered...), bounded.

    What an order page must show depends on its state (a courier only once it has shipped),
    so, as with products, variety matters more than volume.
    """
    first = c.state.get("detail_url", "")
    seen_status = {o["status"] for o in found_orders if o.get("link") and o["link"] == first}
    picked: list[dict[str, Any]] = []
    for order in found_orders:
        if len(picked) >= MAX_EXTRA_DETAILS:
            break
        link = order.get("link") or ""
        if not link or link == first or not c.same_site(link):
            continue
        # A history without status words (the status shows only on the order page) cannot be
        # told apart from the list, so such orders are opened in list order, still bounded.
        if order["status"] and order["status"] in seen_status:
            continue
        seen_status.add(order["status"])
        picked.append(order)
    for order in picked:

        async def action(step: Step, order: dict[str, Any] = order) -> None:
            step.found_by = f"link in order row '{order['ref']}' ({order['status'] or 'no status'})"
            step.confidence = 0.8
            step.tags = [f"status:{order['status']}"] if order["status"] else []
            await c.goto(order["link"], step)

        await c.step("order_detail", action)


async def _order_actions(c: Crawl, step: Step) -> None:
    c.state["order_actions"] = await _actions_here(c)
    public = {
        name: {k: v for k, v in ctl.items() if not k.startswith("_")}
        for name, ctl in c.state["order_actions"].items()
    }
    c.writer.set_fact("order_actions", {"step": step.id, **public})


async def _actions_here(c: Crawl) -> dict[str, dict[str, Any]]:
    """Cancel/return/modify/tracking controls in the page's own content (not the menus)."""
    cands = [x for x in await c.candidates() if x.region in ("main", "dialog")]

    def control(target: str) -> dict[str, Any]:
        f = c.vocab.best(target, cands, c.origin, minimum=0.45)
        return {
            "found": f is not None,
            "text": (f.candidate.text or f.candidate.aria) if f else "",
            "selector": f.candidate.path if f else "",
            "url": f.url if f else "",
            "_click": f.candidate.selector if f else "",
        }

    actions = {
        name: control(target)
        for name, target in (
            ("cancel", "cancel_order"),
            ("return", "return_request"),
            ("modify", "modify_order"),
            ("tracking", "tracking"),
        )
    }
    text = await c.visible_text(10000)
    tracking_text = re.search(
        r"物流信息|物流跟踪|快递单号|运单号|配送员|tracking|shipped via", text, re.I
    )
    if not actions["tracking"]["found"] and tracking_text:
        actions["tracking"].update(found=True, text=tracking_text.group(0), via="page text")
    return actions


async def print_views(c: Crawl, detail: Step, orders_url: str) -> None:
    result: dict[str, Any] = {}
    for key, kind, url in (
        ("order", "order_print", c.state.get("detail_url")),
        ("history", "orders_print", orders_url),
    ):
        info: dict[str, Any] = {"step": "", "found": False, "via": ""}
        result[key] = info
        if not url:
            await c.step(kind, _skip("page to print not reached"), capture="none")
            continue
        step = await c.step(kind, _print_view(c, url, info))
        info["step"] = step.id if step.status == "ok" else ""
    await c.page.emulate_media(media="screen")
    c.writer.set_fact("print_view", result)


def _print_view(c: Crawl, url: str, info: dict[str, Any]):
    async def action(step: Step) -> None:
        await c.page.emulate_media(media="screen")
        await c.goto(url, step)
        cands = await c.candidates()
        found = await c.find("print", cands=cands)
        styles = await c.page.evaluate(PRINT_STYLES_JS)
        if found is not None and found.url and found.url.split("#")[0] != url.split("#")[0]:
            step.found_by, step.confidence = found.found_by, found.confidence
            await c.goto(found.url)
            info.update(found=True, via="printable page", control=found.candidate.text)
        elif found is not None:
            step.found_by, step.confidence = found.found_by, found.confidence
            info.update(found=True, via="print button", control=found.candidate.text)
        elif styles:
            step.found_by, step.confidence = f"print stylesheet ({styles})", 0.7
            info.update(found=True, via="print stylesheet")
        else:
            info.update(found=False, via="")
            raise NotFound("no print control, printable page or print stylesheet")
        step.tags = [info["via"].replace(" ", "_")]
        # Capture what the printer would get.
        await c.page.emulate_media(media="print")

    return action


async def export(c: Crawl, orders_url: str) -> None:
    fact: dict[str, Any] = {"step": "", "control_text": "", "files": []}

    async def action(step: Step) -> None:
        await c.page.emulate_media(media="screen")
        await c.goto(orders_url, step)
        found = await c.find("export", minimum=0.45)
        if found is None:
            raise NotFound("no export/download control on the order history page")
        step.found_by, step.confidence = found.found_by, found.confidence
        fact["control_text"] = found.candidate.text or found.candidate.aria
        fact["step"] = step.id
        download = await _download(c, found)
        if download is None:
            # The control may open an export form (period, format): submit it once.
            fields = await c.fields()
            for f in fields:
                if f["tag"] == "select" and f["visible"] and f["options"]:
                    wide = next(
                        (
                            o
                            for o in f["options"]
                            if PERIOD_RE.search(o["text"])
                            and re.search(r"全部|all|年|year", o["text"], re.I)
                        ),
                        None,
                    )
                    if wide:
                        await c.page.locator(f["selector"]).select_option(value=wide["value"])
            again = c.vocab.best(
                "export",
                [x for x in await c.candidates() if not x.href or x.href != found.url],
                c.origin,
                minimum=0.45,
            )
            if again is not None:
                download = await _download(c, again)
        if download is None:
            raise Blocked("the export control gave no file")
        fact["files"].append(download)
        step.tags = [download.get("format", "")]

    step = await c.step("order_export", action, capture="screen", timeout=max(c.step_timeout_s, 30))
    if step.status != "ok":
        fact.update(status=step.status, reason=step.error, step=step.id)
    c.writer.set_fact("order_export", fact)


async def _download(c: Crawl, found: Found) -> dict[str, Any] | None:
    """Take the export the control gives, bounded in bytes and time while it arrives (see
    downloads.py), then redact, save and parse it. None when it opened a page, not a file."""
    if found.url and not found.url.startswith("javascript:"):

        async def start() -> None:
            await c.goto(found.url)

        fetched = await bounded_download(
            c.page, c.downloads_dir, start, opens_page=True, copy_to=c.downloads_copy_dir
        )
    else:

        async def start() -> None:
            await c.page.locator(found.candidate.selector).first.click(timeout=6000)

        fetched = await bounded_download(
            c.page, c.downloads_dir, start, copy_to=c.downloads_copy_dir
        )
    if fetched.page:
        return None  # an export page, not a file
    if fetched.path is None:
        if fetched.error.startswith("no download began"):
            await c.settle(300)  # no download started: maybe a form opened
            return None
        return {
            "path": "",
            "error": fetched.error,
            "office_format": False,
            "bytes_received": fetched.bytes_seen,
        }
    name = fetched.name or Path(urlsplit(found.url).path).name or "export"
    target = keep(fetched, c.writer.root / "downloads" / safe_name(name))
    c.redactor.file(target, personal=True)
    info = parse_export(target, "")
    return {"path": target.relative_to(c.writer.root).as_posix(), **info}


async def return_request(c: Crawl, detail: Step, found_orders: list[dict[str, Any]]) -> None:
    fact: dict[str, Any] = {
        "form_step": "",
        "fields": [],
        "submitted": False,
        "result_step": "",
        "progress_step": "",
    }
    actions = c.state.get("order_actions") or {}

    async def open_form(step: Step) -> None:
        ctl = actions.get("return") if actions.get("return", {}).get("found") else None
        if ctl is None:
            # Only delivered orders can usually be returned: look at up to three of them.
            delivered = [
                o for o in found_orders if o.get("link") and is_delivered(o["status"], c.vocab)
            ]
            for order in delivered[:3]:
                await c.goto(order["link"], step)
                here = await _actions_here(c)
                if here["return"]["found"]:
                    ctl, fact["order_ref"] = here["return"], order["ref"]
                    break
        if ctl is None:
            raise NotFound("no return request control on the order detail pages seen")
        if ctl.get("url"):
            await c.goto(ctl["url"], step)
        else:
            await c.click(ctl["_click"])
        step.found_by = f"control text '{ctl['text']}'"
        fields = [f for f in await c.fields() if f["visible"] and f["cls"] != "search"]
        fact["fields"] = [f["label"] or f["name"] for f in fields][:20]
        fact["form_step"] = step.id

    form = await c.step("return_request", open_form)
    if form.status != "ok":
        fact.update(status=form.status, reason=form.error)
        c.writer.set_fact("return_request", fact)
        return

    async def submit(step: Step) -> None:
        step.url = c.page.url
        fake = fake_for("CN")
        fields = [f for f in await c.fields() if f["visible"] and not f["disabled"]]
        textarea = None
        for f in fields:
            loc = c.page.locator(f["selector"])
            if f["tag"] == "select" and not any(o["selected"] and o["value"] for o in f["options"]):
                option = next((o for o in f["options"] if o["value"]), None)
                if option:
                    await loc.select_option(value=option["value"])
            elif f["type"] in ("checkbox", "radio") and not f["checked"]:
                if f["type"] == "checkbox" or f["required"]:
                    await loc.check()
            elif f["tag"] == "textarea" or f["cls"] in ("return_reason", "remarks"):
                await loc.fill(fake["return_reason"])
                textarea = f
        anchor = textarea or (fields[0] if fields else None)
        if anchor is None:
            raise Blocked("the return form has no fields")
        from .journey_account import _form_submit

        submit_sel = await _form_submit(c, anchor)
        if not submit_sel:
            raise Blocked("no submit control on the return form")
        await c.click(submit_sel, wait_ms=300)
        fact["submitted"] = True
        fact["result_step"] = step.id

    await c.step("return_request", submit)
    c.writer.set_fact("return_request", fact)


async def cancel_order(c: Crawl, found_orders: list[dict[str, Any]]) -> None:
    fact: dict[str, Any] = {
        "attempted": False,
        "result_step": "",
        "confirmed": False,
        "fee_text": "",
    }

    async def action(step: Step) -> None:
        candidates = [
            o for o in found_orders if o.get("link") and is_unshipped(o["status"], c.vocab)
        ]
        target = candidates[0] if candidates else None
        if target is None:
            raise Blocked("no unshipped order with a detail link in the history")
        await c.goto(target["link"], step)
        cands = await c.candidates()
        cancel = await c.pinned("cancel_order") or c.vocab.best(
            "cancel_order", cands, c.origin, minimum=0.5
        )
        if cancel is None:
            raise NotFound(f"no cancel control on order {target['ref']} ({target['status']})")
        step.found_by, step.confidence = cancel.found_by, cancel.confidence
        before_text = await c.visible_text(8000)
        seen = len(c.dialogs)  # the session accepts confirm() dialogs and keeps their text
        fact["attempted"] = True
        await c.click(cancel, wait_ms=300)
        # A confirmation page/dialog of its own ("confirm cancel"): press it once.
        confirm = c.vocab.best(
            "cancel_order",
            [x for x in await c.candidates() if x.selector != cancel.candidate.selector],
            c.origin,
            minimum=0.5,
        )
        text = await c.visible_text(8000)
        if confirm is not None and not re.search(r"已取消|cancelled|canceled", text, re.I):
            await c.click(confirm, wait_ms=300)
            text = await c.visible_text(8000)
        dialogs = [d["message"] for d in c.dialogs[seen:]]
        fee = None
        for source in (*dialogs, text, before_text):
            fee = re.search(
                r"[^。\n]{0,40}(手续费|违约金|扣除|免费|fee|charge|free of charge)"
                r"[^。\n]{0,40}",
                source,
                re.I,
            )
            if fee:
                break
        fact["dialog"] = dialogs[:2]
        fact.update(
            result_step=step.id,
            confirmed=bool(re.search(r"已取消|取消成功|cancelled|canceled", text, re.I)),
            fee_text=fee.group(0) if fee else "",
            order_ref=target["ref"],
        )

    step = await c.step("cancel_attempt", action, capture="screen")
    if step.status != "ok":
        fact.update(status=step.status, reason=step.error)
    c.writer.set_fact("cancel_attempt", fact)


def _visit_returns(c: Crawl):
    async def action(step: Step) -> None:
        found = await c.find("returns", links_only=True, use_pool=True)
        if found is None and c.pool.get("account"):
            await c.goto(c.pool["account"].url)
            found = await c.find("returns", links_only=True)
        if found is None:
            raise NotFound("no returns/after-sales records link found")
        step.found_by, step.confidence = found.found_by, found.confidence
        await c.goto(found.url, step)
        fact = c.writer.facts.get("return_request")
        if fact is not None:
            fact["progress_step"] = step.id

    return action
