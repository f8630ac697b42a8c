"""Journey, part 3: checkout form, probes, review, and (demo/test stores only) order + payment.

Safety: on a store that is not a test store the crawler never clicks an order-placing or
paying control, and the order guard (guard.py) holds back any request that could create an
order, whatever the control's words. Validation is then probed without sending the form
(blur, reportValidity()).
"""

from __future__ import annotations

import re
from typing import Any

from .bundle import Step
from .checkout_options import choice_step, price_and_time
from .discovery import Candidate, Found, normalise
from .scripts import (
    COMBOBOXES_JS,
    HIGHLIGHTED_OPTION_JS,
    RADIO_GROUP_OPTIONS_JS,
    UNCHOSEN_RADIOS_JS,
    VALIDATION_MESSAGES_JS,
)
from .session import Blocked, Crawl, NotFound, Skip

MAX_WIZARD_PAGES = 6  # address, delivery, payment method, payment details, review, + one
BAD_MOBILE = "123"

# Fake consignee data per country (documentation ranges / well-known test values, no person).
FAKE: dict[str, dict[str, str]] = {
    "CN": {
        "full_name": "测试收货人",
        "first_name": "测试",
        "last_name": "收货人",
        "mobile": "13800138000",
        "address": "测试路1号",
        "address2": "1单元",
        "postcode": "100000",
        "city": "北京",
        "district": "东城区",
        "province": "北京",
        "email": "buyer@example.com",
        "remarks": "测试订单，请勿发货",
        "return_reason": "测试退货：尺码不合适",
        "title": "",
    },
    "GB": {
        "full_name": "Test Buyer",
        "first_name": "Test",
        "last_name": "Buyer",
        "mobile": "+44 7700 900123",
        "address": "1 Test Street",
        "address2": "Flat 1",
        "postcode": "SW1A 1AA",
        "city": "London",
        "district": "Westminster",
        "province": "London",
        "email": "buyer@example.com",
        "remarks": "Test order, do not ship",
        "return_reason": "Test return: wrong size",
        "title": "",
    },
    "US": {
        "full_name": "Test Buyer",
        "first_name": "Test",
        "last_name": "Buyer",
        "mobile": "+1 202-555-0143",
        "address": "1 Test Street",
        "address2": "Apt 1",
        "postcode": "10001",
        "city": "New York",
        "district": "Manhattan",
        "province": "NY",
        "email": "buyer@example.com",
        "remarks": "Test order, do not ship",
        "return_reason": "Test return: wrong size",
        "title": "",
    },
}
MAX_COMBOBOXES = 6  # country, province, city, district and a couple more
MAX_RADIO_GROUPS = 4  # delivery, billing address, payment, one more
MAX_OPTION_STEPS = 5  # arrow presses past placeholder and disabled options
COMBOBOX_WAIT_MS = 350  # a listbox drawing itself, or a dependent list being filled
COUNTRY_LABEL = re.compile(r"country|国家|国家/地区", re.I)
PLACEHOLDER_OPTION = re.compile(r"^(?:--.*|select\b.*|choose\b.*|请选择.*|选择.*)$", re.I)
COUNTRY_WORDS = {
    "CN": re.compile(r"中国|China|^CN$", re.I),
    "GB": re.compile(r"United Kingdom|英国|^GB$", re.I),
    "US": re.compile(r"United States|美国|^US$", re.I),
}
CONFIRMATION_RE = re.compile(
    r"订单已提交|下单成功|提交成功|订单号|感谢您的订购|谢谢|支付成功|付款成功|"
    r"Thank you|order has been placed|"
    r"Order confirmation|Your order number|order number is|Payment successful|payment received",
    re.I,
)
DECLINED_RE = re.compile(
    r"支付失败|付款失败|被拒|拒绝|declined|failed|unsuccessful|not successful", re.I
)


def fake_for(country: str) -> dict[str, str]:
    return FAKE.get(country, FAKE["CN"])


async def checkout(c: Crawl, allow_order: bool) -> None:
    """Walk the checkout wizard up to the review page, probing the first address form."""
    first = await c.step("checkout", _open_checkout(c))
    if first.status != "ok":
        for probe in (
            "checkout_form",
            "address_cascade",
            "checkout_validation",
            "checkout_options",
        ):
            c.writer.set_fact(
                probe,
                {
                    "status": "blocked",
                    "reason": f"checkout not reached: {first.error or first.status}",
                },
            )
        await order_place(c, allow_order, review=None)
        return
    state: dict[str, Any] = {
        "fields": [],
        "sections": [],
        "options": _empty_options(),
        "probed": False,
        "country": "CN",
    }
    review: Step | None = None
    page_step = first
    for _ in range(MAX_WIZARD_PAGES):
        await _read_form(c, page_step, state)
        if not state["probed"] and _has_address_form(state["page_fields"]):
            state["probed"] = True
            form_step = page_step
            await c.step(
                "address_cascade", lambda s, fs=form_step: _cascade(c, s, fs), capture="none"
            )
            await c.step(
                "checkout_validation",
                lambda s, fs=form_step: _validation(c, s, fs, allow_order, state),
                capture="screen",
            )
        await c.step("checkout_fill", lambda s: _fill(c, s, state), capture="none")
        if order_created(c):
            break
        place = await c.pinned("place_order") or c.vocab.best(
            "place_order", _actions(await c.candidates()), c.origin, minimum=0.5
        )
        if place is not None:
            if c.guard is not None:
                c.guard.stage = "review"  # from here nothing that sends data goes out
            review = await c.step("checkout_review", _here(c, place))
            c.state["place_order"] = place
            break
        # Options listed with a "Select" button each (shipping methods): choose one to go on.
        choose = await choice_step(c, state)
        nxt = await c.step("checkout", choose or _continue(c))
        if nxt.status != "ok" or order_created(c):
            break
        page_step = nxt
    _write_form_facts(c, first, state)
    await order_place(c, allow_order, review=review)


def order_created(c: Crawl) -> bool:
    """The store said an order exists after something the guard let through: stop at once."""
    return bool(c.guard is not None and c.guard.incidents)


def _empty_options() -> dict[str, list]:
    return {"delivery": [], "time_slots": [], "invoice": [], "payment": []}


def _open_checkout(c: Crawl):
    async def action(step: Step) -> None:
        if c.state.get("cart_url"):
            await c.goto(c.state["cart_url"])
        found = await c.find("checkout", use_pool=True)
        if found is None:
            raise NotFound("no checkout control found in the cart")
        step.found_by, step.confidence = found.found_by, found.confidence
        if found.url:
            await c.goto(found.url, step)
        else:
            step.url = c.page.url
            await c.click(found, wait_ms=250)
        if not c.logged_in:
            fields = await c.fields()
            if any(f["type"] == "password" and f["visible"] for f in fields):
                raise Blocked("checkout asks to log in and no login was possible", screenshot=True)

    return action


def _here(c: Crawl, found: Found):
    async def action(step: Step) -> None:
        step.url = c.page.url
        step.found_by = f"{found.found_by} present"
        step.confidence = found.confidence

    return action


def _continue(c: Crawl):
    async def action(step: Step) -> None:
        cands = [x for x in await c.candidates() if not x.href or "checkout" in x.href]
        found = await c.pinned("continue") or c.vocab.best(
            "continue", cands, c.origin, minimum=0.45
        )
        if found is None:
            raise NotFound("no continue control on the checkout page")
        if not c.state.get("allow_order") and might_place_order(c, found):
            raise Skip(f"not a test store: '{found.candidate.text[:30]}' might place the order")
        before = c.page.url
        step.url = before
        step.found_by, step.confidence = found.found_by, found.confidence
        await c.click(found, wait_ms=250)
        if c.page.url == before:
            messages = await c.page.evaluate(VALIDATION_MESSAGES_JS)
            if messages:
                raise RuntimeError(
                    "checkout stayed on the same page: "
                    + "; ".join(m["text"] for m in messages[:2])
                )

    return action


def _has_address_form(fields: list[dict[str, Any]]) -> bool:
    classes = {f["cls"] for f in fields if f["visible"]}
    return bool(classes & {"address", "mobile", "full_name", "first_name", "province", "postcode"})


async def _read_form(c: Crawl, step: Step, state: dict[str, Any]) -> None:
    fields = [f for f in await c.fields() if f["cls"] != "search"]
    state["page_fields"] = fields
    known = {(f["name"], f["label"]) for f in state["fields"]}
    for f in fields:
        if not f["visible"] or f["type"] in ("radio",):
            continue
        if (f["name"], f["label"]) in known:
            continue
        state["fields"].append(
            {
                "name": f["name"],
                "label": f["label"] or f["placeholder"],
                "type": f["type"],
                "required": bool(f["required"]),
                "class": f["cls"],
                "step": step.id,
                "options": [o["text"] for o in f["options"]][:30],
            }
        )
    sections = await c.page.evaluate(
        "() => Array.from(document.querySelectorAll('main h1, main h2, main h3, form h2, form h3,"
        " legend, h2, h3')).map(h => h.innerText.trim()).filter(t => t && t.length < 60)"
    )
    for s in sections:
        if s not in state["sections"]:
            state["sections"].append(s)
    _read_options(c, fields, state)
    country = next((f for f in fields if f["cls"] == "country" and f["tag"] == "select"), None)
    if country:
        chosen = next((o for o in country["options"] if o["selected"]), None)
        for code, rx in COUNTRY_WORDS.items():
            if any(rx.search(o["text"]) for o in country["options"]):
                state["country"] = code
                break
        if chosen:
            for code, rx in COUNTRY_WORDS.items():
                if rx.search(chosen["text"]) and not any(
                    COUNTRY_WORDS["CN"].search(o["text"]) for o in country["options"]
                ):
                    state["country"] = code


def _read_options(c: Crawl, fields: list[dict[str, Any]], state: dict[str, Any]) -> None:
    """Delivery / time slot / invoice / payment choices offered as radios or selects."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for f in fields:
        if f["type"] == "radio" and f["visible"]:
            groups.setdefault(f["name"] or f["id"], []).append(f)
    buckets = {
        "delivery": "delivery",
        "time_slot": "time_slots",
        "invoice": "invoice",
        "payment": "payment",
    }
    price_re = c.vocab.pattern("patterns", "price")
    for name, radios in groups.items():
        cls = c.vocab.classify_field(
            {"name": name, "label": f"{radios[0]['legend']} {radios[0]['section']}"}
        )
        if cls not in buckets:
            cls = c.vocab.classify_field({"label": " ".join(r["label"] for r in radios)})
        if cls not in buckets:
            continue
        for r in radios:
            label = normalise(r["label"])
            entry: dict[str, Any] = {"label": label, "group": name}
            if cls == "delivery":
                price_text, time_text = price_and_time(c, label)
                entry.update(price_text=price_text, note=time_text)
            elif cls == "payment":
                entry.update(note="")
            _append_option(state["options"][buckets[cls]], entry if cls != "time_slot" else label)
    for f in fields:
        if f["tag"] == "select" and f["cls"] in buckets and f["visible"]:
            for o in f["options"]:
                if not o["value"]:
                    continue
                text = normalise(o["text"])
                if f["cls"] == "time_slot":
                    _append_option(state["options"]["time_slots"], text)
                else:
                    price = price_re.search(text)
                    entry = {"label": text, "group": f["name"]}
                    if f["cls"] == "delivery":
                        entry.update(price_text=price.group(0) if price else "", note="")
                    _append_option(state["options"][buckets[f["cls"]]], entry)


def _append_option(bucket: list, entry: Any) -> None:
    if entry not in bucket:
        bucket.append(entry)


def _write_form_facts(c: Crawl, first: Step, state: dict[str, Any]) -> None:
    fields = state["fields"]
    c.writer.set_fact(
        "checkout_form",
        {
            "step": first.id,
            "fields": fields[:60],
            "sections": state["sections"][:20],
            "remarks_field": any(f["class"] == "remarks" for f in fields),
            "excerpt": ", ".join(f["label"] for f in fields[:8] if f["label"])[:160],
        },
    )
    opts = state["options"]
    c.writer.set_fact("checkout_options", {"step": first.id, **opts})


# --- probes on the address form ---------------------------------------------------------------


async def _cascade(c: Crawl, step: Step, form_step: Step) -> None:
    """Choose the first province; do cities (and then districts) get offered?"""
    step.url = c.page.url
    fields = await c.fields()
    selects = [f for f in fields if f["tag"] == "select" and f["visible"]]
    province = next((f for f in selects if f["cls"] == "province"), None)
    if province is None or len(province["options"]) < 2:
        # An observation, not a failure to run: the address form offers no region choice.
        c.writer.set_fact(
            "address_cascade",
            {
                "step": form_step.id,
                "probe_step": step.id,
                "province_select": False,
                "province": "",
                "cities": [],
                "city": "",
                "districts": [],
                "works": False,
                "note": "no province selector on the address form",
                "fields": [f["label"] or f["name"] for f in fields if f["visible"]][:20],
            },
        )
        step.tags = ["no_province_select"]
        return
    choice = next(o for o in province["options"] if o["value"])
    await c.page.locator(province["selector"]).select_option(value=choice["value"])
    await c.page.wait_for_timeout(500)
    cities, city_text, districts = [], "", []
    city = await _select_of(c, "city")
    if city:
        cities = [o["text"] for o in city["options"] if o["value"]]
        if cities:
            first_city = next(o for o in city["options"] if o["value"])
            city_text = first_city["text"]
            await c.page.locator(city["selector"]).select_option(value=first_city["value"])
            await c.page.wait_for_timeout(500)
            district = await _select_of(c, "district")
            if district:
                districts = [o["text"] for o in district["options"] if o["value"]]
                first_d = next((o for o in district["options"] if o["value"]), None)
                if first_d:
                    await c.page.locator(district["selector"]).select_option(value=first_d["value"])
    c.writer.set_fact(
        "address_cascade",
        {
            "step": form_step.id,
            "probe_step": step.id,
            "province": choice["text"],
            "cities": cities[:50],
            "city": city_text,
            "districts": districts[:50],
            "works": bool(cities),
            "province_select": True,
            "selector": f"select[name='{province['name']}']" if province["name"] else "",
        },
    )


async def _select_of(c: Crawl, cls: str) -> dict[str, Any] | None:
    fields = await c.fields()
    return next(
        (f for f in fields if f["tag"] == "select" and f["cls"] == cls and f["visible"]), None
    )


async def _validation(
    c: Crawl, step: Step, form_step: Step, allow_order: bool, state: dict[str, Any]
) -> None:
    """Does the form catch empty required fields and a bad mobile number, and say so?

    1. Empty the required fields and type a bad mobile: the browser's own messages (no submit).
    2. Press the form's continue control with browser validation off: the store's messages.
    3. Fill everything validly except the mobile and press again: is the bad number accepted?
    Steps 2-3 run on test stores only: on any other store the form is never sent (a "continue"
    may create the order there); the store's inline messages are read on leaving each field.
    """
    step.url = c.page.url
    form_url = c.page.url
    fields = [f for f in await c.fields() if f["visible"]]
    mobile = next((f for f in fields if f["cls"] == "mobile" and f["tag"] == "input"), None)
    if mobile:
        await c.page.locator(mobile["selector"]).fill(BAD_MOBILE)
        await c.page.locator(mobile["selector"]).blur()
    for f in fields:
        if f["required"] and f["tag"] != "select" and f["type"] not in ("checkbox", "radio"):
            if f is not mobile and f["value"]:
                await c.page.locator(f["selector"]).fill("")
    await c.page.evaluate(
        "() => { for (const f of document.forms) if (f.reportValidity) f.reportValidity(); }"
    )
    await c.page.wait_for_timeout(150)
    browser_msgs = [
        m for m in await c.page.evaluate(VALIDATION_MESSAGES_JS) if m["source"] == "browser"
    ]
    fact: dict[str, Any] = {
        "step": form_step.id,
        "probe_step": step.id,
        "submitted_empty_or_invalid": False,
        "browser_messages": [m["text"] for m in browser_msgs],
        "page_messages": [],
        "messages": [],
        "selectors": [],
        "still_on_form": True,
        "corrected": False,
        "bad_mobile_tested": bool(mobile),
        "bad_mobile_accepted": None,
        "how": "inline",
    }
    if not allow_order:
        # A real store: nothing is sent. The browser's messages were read above; the store's
        # own inline messages appear on leaving a field (blur), as a customer would see them.
        await _blur_all(c, fields)
        fact["how"] = "inline, without sending the form (not a test store)"
        fact["tested_without_sending"] = True
        page_msgs = [
            m for m in await c.page.evaluate(VALIDATION_MESSAGES_JS) if m["source"] == "page"
        ]
        fact["page_messages"] = [m["text"] for m in page_msgs]
        fact["selectors"] = [m["selector"] for m in page_msgs]
    press = await _safe_submit(c, allow_order) if allow_order else None
    if press is not None:
        fact["how"] = f"pressed '{normalise(press.candidate.text)[:30]}' with browser checks off"
        await _press_unvalidated(c, press)
        fact["submitted_empty_or_invalid"] = True
        page_msgs = [
            m for m in await c.page.evaluate(VALIDATION_MESSAGES_JS) if m["source"] == "page"
        ]
        fact["page_messages"] = [m["text"] for m in page_msgs]
        fact["selectors"] = [m["selector"] for m in page_msgs]
        fact["still_on_form"] = await _has_form(c)
        if fact["still_on_form"] and mobile:
            await _fill_form(c, state, mobile_value=BAD_MOBILE)
            again = await _safe_submit(c, allow_order)
            if again is not None:
                await _press_unvalidated(c, again)
                left = not await _has_form(c)
                fact["bad_mobile_accepted"] = left
                mobile_msgs = [
                    m["text"]
                    for m in await c.page.evaluate(VALIDATION_MESSAGES_JS)
                    if m["source"] == "page"
                ]
                fact["bad_mobile_messages"] = mobile_msgs
                fact["page_messages"] += [m for m in mobile_msgs if m not in fact["page_messages"]]
                if left:
                    await c.goto(form_url)  # back to the form the wizard is working on
        elif not fact["still_on_form"]:
            await c.goto(form_url)
    fact["messages"] = fact["page_messages"] + [
        m for m in fact["browser_messages"] if m not in fact["page_messages"]
    ]
    fact["excerpt"] = "; ".join(fact["messages"][:3])[:160]
    c.writer.set_fact("checkout_validation", fact)
    step.tags = [
        f"page_messages:{len(fact['page_messages'])}",
        f"browser_messages:{len(fact['browser_messages'])}",
    ]


async def _blur_all(c: Crawl, fields: list[dict[str, Any]]) -> None:
    """Focus and leave each visible field in turn: stores validate on blur."""
    for f in fields[:30]:
        if f["tag"] == "select" or f["type"] in ("checkbox", "radio", "hidden"):
            continue
        try:
            loc = c.page.locator(f["selector"]).first
            await loc.focus(timeout=1000)
            await loc.blur(timeout=1000)
        except Exception:  # noqa: BLE001 - a field that went away: the others still count
            continue
    await c.page.wait_for_timeout(150)


async def _safe_submit(c: Crawl, allow_order: bool) -> Found | None:
    """The control that submits this form without placing an order (or, on test stores, any)."""
    cands = await c.candidates()
    place = await c.pinned("place_order") or c.vocab.best(
        "place_order", _actions(cands), c.origin, minimum=0.5
    )
    cont = await c.pinned("continue") or c.vocab.best(
        "continue", [x for x in cands if not x.href], c.origin, minimum=0.45
    )
    if cont is not None and (allow_order or not might_place_order(c, cont)):
        return cont
    return place if allow_order else None


def might_place_order(c: Crawl, found: Found) -> bool:
    """Could pressing this control place an order or pay? Then a real store never gets it."""
    if found.found_by == "profile":
        return False  # the profile's author pinned it as a safe "continue"
    cand = found.candidate
    return any(c.vocab.score(t, cand)[0] >= 0.35 for t in ("place_order", "pay", "buy_now"))


async def _press_unvalidated(c: Crawl, found: Found) -> None:
    await c.page.evaluate("() => { for (const f of document.forms) f.noValidate = true; }")
    await c.click(found, wait_ms=250)


async def _has_form(c: Crawl) -> bool:
    fields = await c.fields()
    return _has_address_form(fields)


async def _fill(c: Crawl, step: Step, state: dict[str, Any]) -> None:
    """Fill the visible form with fake consignee data and pick the first of each choice."""
    step.url = c.page.url
    filled = await _fill_form(c, state)
    step.tags = [f"filled:{filled}"]
    fact = c.writer.facts.get("checkout_validation")
    if fact and "messages" in fact and not fact.get("corrected"):
        ok = await c.page.evaluate(
            "() => Array.from(document.querySelectorAll('input, select, textarea'))"
            ".filter(e => e.offsetParent !== null).every(e => e.checkValidity())"
        )
        fact["corrected"] = bool(ok)


async def _fill_form(
    c: Crawl, state: dict[str, Any], mobile_value: str | None = None, passes: int = 2
) -> int:
    fields = [f for f in await c.fields() if f["visible"] and not f["disabled"]]
    country = next((f for f in fields if f["cls"] == "country" and f["tag"] == "select"), None)
    if country:
        cn = next(
            (o for o in country["options"] if COUNTRY_WORDS["CN"].search(o["text"]) and o["value"]),
            None,
        )
        if cn:
            await c.page.locator(country["selector"]).select_option(value=cn["value"])
            state["country"] = "CN"
    chosen_country = await choose_comboboxes(c)
    if chosen_country:
        state["country"] = chosen_country
        fields = [f for f in await c.fields() if f["visible"] and not f["disabled"]]
    fake = fake_for(state["country"])
    for value in fake.values():
        c.redactor.add_keep(value)
    filled = 0
    radio_groups: set[str] = set()
    for f in fields:
        loc = c.page.locator(f["selector"])
        if f["tag"] == "select":
            if f["cls"] in ("country",):
                continue
            has_choice = any(o["selected"] and o["value"] for o in f["options"])
            if not has_choice:
                option = next((o for o in f["options"] if o["value"]), None)
                if option:
                    await loc.select_option(value=option["value"])
                    await c.page.wait_for_timeout(250)
                    filled += 1
        elif f["type"] == "radio":
            group = f["name"] or f["id"]
            if group in radio_groups:
                continue
            radio_groups.add(group)
            if not any(g["checked"] for g in fields if (g["name"] or g["id"]) == group):
                await loc.check()
                filled += 1
        elif f["type"] == "checkbox":
            if f["required"] and not f["checked"]:
                await loc.check()
                filled += 1
        elif (
            f["type"] in ("text", "email", "tel", "number", "textarea", "")
            or f["tag"] == "textarea"
        ):
            value = _value_for(f, fake)
            if value is None:
                continue
            if f["cls"] == "mobile" and mobile_value is not None:
                value = mobile_value
            if f["cls"] == "mobile" or not f["value"] or f["value"] == BAD_MOBILE:
                await loc.fill(value)
                filled += 1
    # Selects filled in order may have re-populated dependants (cascades): once more.
    for f in await c.fields():
        if f["tag"] == "select" and f["visible"] and f["cls"] in ("city", "district"):
            if not any(o["selected"] and o["value"] for o in f["options"]):
                option = next((o for o in f["options"] if o["value"]), None)
                if option:
                    await c.page.locator(f["selector"]).select_option(value=option["value"])
    # A form that opens more of itself as it is filled (a one-page checkout that saves the
    # address by script, then shows delivery and payment): let it, choose what it shows, and
    # fill what appeared once more.
    await c.settle(300)
    filled += await choose_radio_groups(c)
    # Their options are facts like native radios' (delivery charges and times, payment methods).
    _read_options(c, await c.page.evaluate(RADIO_GROUP_OPTIONS_JS), state)
    await c.settle(300)
    before = {f["path"] for f in fields}
    grown = [f for f in await c.fields() if f["visible"] and f["path"] not in before]
    if passes > 1 and (grown or await c.page.evaluate(UNCHOSEN_RADIOS_JS)):
        filled += await _fill_form(c, state, mobile_value, passes - 1)
    return filled


async def choose_radio_groups(c: Crawl) -> int:
    """Custom radio groups ([role=radiogroup], as UI kits draw delivery and payment choices)
    with nothing chosen: take the first option of each, as for native radios. A choice can
    enable the next group (payment once delivery is chosen), so the page is read again after
    each; never an option named like placing the order or paying."""
    chosen = 0
    tried: set[str] = set()
    for _ in range(MAX_RADIO_GROUPS):
        groups = [
            g
            for g in await c.page.evaluate(UNCHOSEN_RADIOS_JS)
            if g["label"] not in tried and not c.vocab.acts_on_order(g["label"])
        ]
        if not groups:
            break
        tried.add(groups[0]["label"])
        try:
            await c.click(groups[0]["selector"], wait_ms=250)
        except Exception:  # noqa: BLE001 - an option that cannot be clicked stays unchosen
            continue
        chosen += 1
    return chosen


async def choose_comboboxes(c: Crawl) -> str:
    """Custom selects (an ARIA combobox that opens a listbox: a button showing "Country ▾"):
    open each that shows no choice yet, in page order, and choose with the keyboard, the way
    the ARIA pattern defines (Enter opens, arrows move, Enter chooses): China for a country when
    listed (typed, as type-ahead finds it), else the first real option. A province list the
    country fills is chosen next. Returns the country code chosen, "" when none."""
    country = ""
    done: set[str] = set()
    options = c.page.locator("[role=listbox]:visible [role=option]")
    for _ in range(MAX_COMBOBOXES):
        boxes = [b for b in await c.page.evaluate(COMBOBOXES_JS) if b["path"] not in done]
        if not boxes:
            break
        box = boxes[0]
        done.add(box["path"])
        is_country = bool(COUNTRY_LABEL.search(box["label"]))
        try:
            await c.page.locator(box["selector"]).first.focus()
            await c.page.keyboard.press("Enter")
            await c.page.wait_for_timeout(COMBOBOX_WAIT_MS)
            texts = [t.strip() for t in await options.all_inner_texts()]
            if is_country and any(COUNTRY_WORDS["CN"].search(t) for t in texts):
                await c.page.keyboard.type(
                    next(t for t in texts if COUNTRY_WORDS["CN"].search(t))[:12]
                )
            for _press in range(MAX_OPTION_STEPS):
                now = await c.page.evaluate(HIGHLIGHTED_OPTION_JS)
                if now and not PLACEHOLDER_OPTION.search(now.strip()):
                    break
                await c.page.keyboard.press("ArrowDown")
            chosen = (await c.page.evaluate(HIGHLIGHTED_OPTION_JS) or "").strip()
            await c.page.keyboard.press("Enter")
            await c.settle(COMBOBOX_WAIT_MS)
            if await options.count():  # still open: nothing was chosen
                await c.page.keyboard.press("Escape")
                continue
        except Exception:  # noqa: BLE001 - a box that does not open is left as it is
            continue
        if is_country and chosen:
            country = next((code for code, rx in COUNTRY_WORDS.items() if rx.search(chosen)), "US")
    return country


def _value_for(f: dict[str, Any], fake: dict[str, str]) -> str | None:
    cls = f["cls"]
    if cls in fake:
        return fake[cls]
    if cls in ("username", "quantity", "search", "captcha", "sms_code", "password", "consent"):
        return None
    if f["type"] == "number":
        return None
    if f["required"]:
        return fake["address"]  # an unknown required text field: something harmless
    return None


# --- placing the order and paying (demo / test stores only) ---------------------------------


async def order_place(c: Crawl, allow_order: bool, review: Step | None) -> None:
    async def action(step: Step) -> None:
        if not allow_order and order_created(c):
            first = c.guard.incidents[0]
            c.writer.set_fact(
                "order_place",
                {
                    "attempted": False,
                    "placed": True,
                    "reason": (
                        "the store created an order although no order control was pressed: "
                        f"{first['what']} ({first['method']} {first['url']}, step {first['step']})"
                    ),
                    "review_step": review.id if review else "",
                    "confirmation_step": "",
                    "order_ref": "",
                    "incident": first,
                },
            )
            raise Blocked("checkout stopped: the store created an order (see order_guard)")
        if not allow_order:
            c.writer.set_fact(
                "order_place",
                {
                    "attempted": False,
                    "placed": False,
                    "reason": "not a test store",
                    "review_step": review.id if review else "",
                    "confirmation_step": "",
                    "order_ref": "",
                },
            )
            raise Skip("not a test store: order not placed")
        place: Found | None = c.state.get("place_order")
        if review is None or place is None:
            c.writer.set_fact(
                "order_place",
                {
                    "attempted": False,
                    "placed": False,
                    "reason": "review page not reached",
                    "review_step": "",
                    "confirmation_step": "",
                    "order_ref": "",
                },
            )
            raise Blocked("review page with a place-order control not reached")
        step.url = c.page.url
        step.found_by, step.confidence = place.found_by, place.confidence
        await c.click(place, wait_ms=300)
        text = await c.visible_text(8000)
        ref = _order_ref(text)
        c.state["order_ref"] = ref
        c.writer.set_fact(
            "order_place",
            {
                "attempted": True,
                "placed": c.page.url != step.url,
                "reason": "",
                "review_step": review.id,
                "confirmation_step": "",
                "order_ref": ref,
                "excerpt": _sentence_with(text, ref) if ref else "",
            },
        )

    step = await c.step("order_place", action, capture="screen")
    if step.status == "ok":
        await payment(c)


def _sentence_with(text: str, needle: str) -> str:
    for line in text.splitlines():
        if needle in line:
            return normalise(line)[:160]
    return ""


def _order_ref(text: str) -> str:
    m = re.search(
        r"(订单号|订单编号|Order (?:number|no\.?|#)(?: is)?)\s*[:：#]?\s*"
        r"([A-Za-z0-9-]*\d[A-Za-z0-9-]{3,})",
        text,
        re.I,
    )
    return m.group(2) if m else ""


async def payment(c: Crawl) -> None:
    """On the page after placing: pay, trying a simulated decline first when the store offers one.

    Test stores document a decline in one of two ways: a control ("simulate decline") or a
    test code/card number the page names ("000000 simulates a decline").
    """
    cands = _actions(await c.candidates())
    pay = await c.pinned("pay") or c.vocab.best("pay", cands, c.origin, minimum=0.5)
    decline = await c.pinned("pay_decline") or c.vocab.best(
        "pay_decline", cands, c.origin, minimum=0.5
    )
    methods = await _payment_methods(c)
    attempt: dict[str, Any] = {
        "attempted": False,
        "declined_step": "",
        "retry_offered": False,
        "methods_offered": methods,
        "result_step": "",
    }
    if pay is None and decline is None:
        conf = await c.step("order_confirmation", _confirmation(c))
        _link_confirmation(c, conf)
        c.writer.set_fact(
            "payment_attempt",
            {**attempt, "status": "skipped", "reason": "no payment step after placing the order"},
        )
        return
    pay_page = await c.step("payment", _here(c, pay or decline))
    attempt["attempted"] = True
    attempt["step"] = pay_page.id
    pay_url = c.page.url
    code = await _test_codes(c)
    attempt["test_decline_code"] = bool(code["decline"])
    if decline is not None or code["decline"]:
        action = (
            _press(c, decline, tag="declined")
            if decline is not None
            else _pay_with_code(c, pay, code["field"], code["decline"], tag="declined")
        )
        declined = await c.step("payment_result", action)
        attempt["declined_step"] = declined.id
        cands = await c.candidates()
        retry = c.vocab.best("retry_payment", cands, c.origin, minimum=0.45)
        other = c.vocab.best("pay", cands, c.origin, minimum=0.5)
        attempt["retry_offered"] = retry is not None or other is not None
        attempt["retry_control"] = (retry or other).candidate.text if (retry or other) else ""
        # Pay for real on the payment page again (the retry path a customer would take).
        if retry is not None and retry.url:
            await c.goto(retry.url)
        else:
            await c.goto(pay_url)
        pay = c.vocab.best("pay", _actions(await c.candidates()), c.origin, minimum=0.5)
        code = await _test_codes(c)
    if pay is not None:
        action = (
            _pay_with_code(c, pay, code["field"], code["success"], tag="paid")
            if code["field"]
            else _press(c, pay, tag="paid")
        )
        result = await c.step("payment_result", action)
        attempt["result_step"] = result.id
        if result.status == "ok":
            await _after_payment(c)
    c.writer.set_fact("payment_attempt", attempt)


async def _test_codes(c: Crawl) -> dict[str, Any]:
    """The one-time-code field, the documented decline code (if any) and a code that pays."""
    fields = [
        f
        for f in await c.fields()
        if f["visible"]
        and f["cls"] in ("sms_code", "captcha")
        and f["type"] not in ("radio", "checkbox", "select-one", "hidden")
    ]
    field = fields[0] if fields else None
    if field is not None:
        send = c.vocab.best("send_code", await c.candidates(), c.origin, minimum=0.5)
        if send is not None:
            await c.click(send, wait_ms=200)
    text = await c.visible_text(12000)
    decline = ""
    for m in c.vocab.pattern("patterns", "test_decline_code").finditer(text):
        decline = next((g for g in m.groups() if g and g.isdigit()), "")
        if decline:
            break
    length = int(field["maxlength"]) if field and str(field.get("maxlength", "")).isdigit() else 6
    success = "".join(str((i % 9) + 1) for i in range(length))  # 123456...: not the decline
    return {
        "field": field["stable"] if field else "",
        "decline": decline if field else "",
        "success": success,
    }


def _pay_with_code(c: Crawl, pay: Found | None, field: str, code: str, tag: str):
    async def action(step: Step) -> None:
        if pay is None:
            raise NotFound("no pay control on the payment page")
        step.url = c.page.url
        step.found_by, step.confidence = pay.found_by, pay.confidence
        step.tags = [tag, "test_code"]
        await c.page.locator(field).first.fill(code)
        fresh = c.vocab.best("pay", _actions(await c.candidates()), c.origin, minimum=0.5) or pay
        await c.click(fresh, wait_ms=300)
        text = await c.visible_text(4000)
        if DECLINED_RE.search(text):
            step.tags.append("decline_shown")

    return action


async def _after_payment(c: Crawl) -> None:
    """Capture the order confirmation: this page, or the one its confirmation link opens."""
    text = await c.visible_text(6000)
    link = c.vocab.best("confirmation_link", await c.candidates(), c.origin, minimum=0.5)
    if link is not None and link.url:

        async def follow(step: Step) -> None:
            step.found_by, step.confidence = link.found_by, link.confidence
            await c.goto(link.url, step)

        conf = await c.step("order_confirmation", follow)
    elif CONFIRMATION_RE.search(text):
        conf = await c.step("order_confirmation", _confirmation(c))
    else:
        return
    _link_confirmation(c, conf)


def _actions(cands: list[Candidate]) -> list[Candidate]:
    """Controls that act on this page: buttons, and links in the main content (not nav/footer)."""
    return [x for x in cands if not x.href or x.region in ("main", "dialog")]


def _press(c: Crawl, found: Found, tag: str):
    async def action(step: Step) -> None:
        step.url = c.page.url
        step.found_by, step.confidence = found.found_by, found.confidence
        step.tags = [tag]
        await c.click(found, wait_ms=300)
        if tag == "declined":
            text = await c.visible_text(4000)
            if DECLINED_RE.search(text):
                step.tags.append("decline_shown")

    return action


def _confirmation(c: Crawl):
    async def action(step: Step) -> None:
        step.url = c.page.url
        text = await c.visible_text(6000)
        m = CONFIRMATION_RE.search(text)
        step.found_by = f"page text '{m.group(0)}'" if m else "page after placing the order"
        step.confidence = 0.9 if m else 0.5

    return action


def _link_confirmation(c: Crawl, conf: Step) -> None:
    fact = c.writer.facts.get("order_place")
    if fact and conf.status == "ok":
        fact["confirmation_step"] = conf.id


async def _payment_methods(c: Crawl) -> list[str]:
    """Labels of the radio group that chooses how to pay, if the page has one."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for f in await c.fields():
        if f["type"] == "radio" and f["visible"]:
            groups.setdefault(f["name"] or f["id"], []).append(f)
    for name, radios in groups.items():
        first = radios[0]
        by_name = c.vocab.classify_field(
            {"name": name, "label": f"{first['legend']} {first['section']}"}
        )
        by_labels = c.vocab.classify_field({"label": " ".join(r["label"] for r in radios)})
        if "payment" in (by_name, by_labels) or name.lower() in ("method", "pay", "pay_method"):
            return [normalise(r["label"])[:120] for r in radios][:10]
    return []
