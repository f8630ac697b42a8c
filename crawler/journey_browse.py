"""Journey, part 1: browsing as a visitor (home, links, listings, search, products, cart)."""

from __future__ import annotations

import re
from typing import Any

from .bundle import Step
from .controls import load_more, open_menus, open_panel_link, reveal_field
from .discovery import MIN_CONFIDENCE, Candidate, Found, clean_label, normalise
from .product_dialogs import dialog_products, open_dialog, quick_views
from .readers import availability, find_prices
from .scripts import OVERLAYS_JS, STRUCTURED_DATA_JS
from .session import LINK_TARGETS, Blocked, Crawl, NotFound, Skip, _is_action_url

MAX_LINKS = 40
MAX_LISTINGS = 2

# Where a product page states its stock, most specific first: a labelled stock line
# ("库存：有货", "Availability: In stock"), the buy box around the add-to-cart control, then
# the block around the main heading. Reading the whole page would pick up "sold out" from
# related products or reviews.
PRODUCT_AREA_JS = r"""(labels) => {
  const text = el => (el && el.innerText || '').replace(/\s+/g, ' ').trim();
  const re = new RegExp('^(' + labels + ')\\s*[:：]?', 'i');
  let stock = '';
  for (const el of document.querySelectorAll('dt, th, label, span, b, strong, em, div, p, li')) {
    const t = text(el);
    if (!t || t.length > 60 || !re.test(t)) continue;
    const value = t.replace(re, '').trim() ||
      text(el.nextElementSibling) || text(el.parentElement).replace(re, '').trim();
    if (value) { stock = value.slice(0, 80); break; }
  }
  const h1 = document.querySelector('h1');
  const climb = (start, max) => {
    let n = start, best = start;
    while (n && n.parentElement && n !== document.body) {
      n = n.parentElement;
      if (text(n).length > max) break;
      best = n;
    }
    return best ? text(best) : '';
  };
  const buttons = Array.from(document.querySelectorAll('button, input[type=submit], a'))
    .filter(b => /加入购物|购物[车篮]|add to (cart|basket|bag)|到货通知|notify/i
      .test(text(b) || b.value || ''));
  return {name: h1 ? text(h1) : '', stock,
          buy_box: buttons.length ? climb(buttons[0], 600) : '',
          area: h1 ? climb(h1, 1500) : text(document.querySelector('main') || document.body)
            .slice(0, 1500)};
}"""

# Rows of a table/list that hold an item (cart lines, search results, order rows).
ROWS_JS = r"""(args) => {
  const out = [];
  const rows = document.querySelectorAll(args.selector ||
    'tbody tr, li, [class*=item], [class*=row], [class*=line], [class*=order], article');
  for (const r of rows) {
    const t = (r.innerText || '').replace(/\s+/g, ' ').trim();
    if (!t || t.length > 600) continue;
    if (r.querySelector('tbody tr, li') && r.tagName !== 'TR') continue;  // containers
    const a = Array.from(r.querySelectorAll('a[href]')).find(a => (a.innerText || '').trim());
    out.push({text: t, link: a ? a.href : '', link_text: a ? a.innerText.trim() : '',
              has_qty: !!r.querySelector(
                'input[type=number], input[name*=qty i], input[name*=quantity i]')});
    if (out.length >= 300) break;
  }
  return out;
}"""


# Option groups beside the add-to-cart control that have nothing chosen yet: radio groups
# with no radio checked, and groups of two or more short sibling buttons (size or colour
# swatches). Returns a selector for the first usable choice of each group; clicks nothing.
OPTION_CHOICES_JS = r"""({add: words, never}) => {
  const re = new RegExp(words, 'i');
  const text = el => (el.innerText || el.value || '').replace(/\s+/g, ' ').trim();
  // A group holding a control that buys, pays or places the order is no option group.
  const acts = el => { const t = (text(el) + ' ' + (el.getAttribute('aria-label') || ''))
    .toLowerCase(); return never.some(w => t.includes(w)); };
  const add = Array.from(document.querySelectorAll('button, input[type=submit], [role=button]'))
    .find(b => re.test(text(b)) || re.test(b.getAttribute('aria-label') || ''));
  if (!add) return [];
  let box = add.closest('form');
  for (let n = add.parentElement, i = 0; !box && n && i < 4; n = n.parentElement, i++)
    if (n.querySelectorAll('button, input[type=radio], [role=radio]').length > 2) box = n;
  if (!box) return [];
  const out = [];
  const mark = (el) => {
    const id = 'opt-' + out.length;
    el.setAttribute('data-b2cect-c', id);
    out.push('[data-b2cect-c="' + id + '"]');
  };
  const radios = {};
  for (const r of box.querySelectorAll('input[type=radio]'))
    (radios[r.name] = radios[r.name] || []).push(r);
  for (const group of Object.values(radios))
    if (!group.some(r => r.checked)) {
      const r = group.find(r => !r.disabled);
      if (r) mark(r);
    }
  const groups = new Map();
  for (const b of box.querySelectorAll('button, [role=radio], [aria-pressed]')) {
    if (b === add || b.disabled) continue;
    const submits = b.tagName === 'BUTTON' && (b.getAttribute('type') || 'submit') === 'submit';
    if (submits && !b.hasAttribute('aria-pressed') && b.getAttribute('role') !== 'radio')
      continue;
    const t = text(b);
    if (!t || t.length > 12 || /^[+\-−]$/.test(t)) continue;
    const list = groups.get(b.parentElement) || [];
    list.push(b); groups.set(b.parentElement, list);
  }
  for (const list of groups.values()) {
    if (list.length < 2 || list.some(acts)) continue;
    if (list.some(b => b.getAttribute('aria-pressed') === 'true' ||
                       b.getAttribute('aria-checked') === 'true')) continue;
    mark(list[0]);
  }
  return out;
}"""


async def home(c: Crawl) -> Step:
    async def action(step: Step) -> None:
        step.found_by, step.confidence = "start URL", 1.0
        await c.goto(c.start_url, step)
        text = await c.visible_text()
        c.redactor.add_keep(text)  # store-wide contacts shown to everyone are not personal
        cands = await c.candidates(context=True)
        # Links kept in menus drawn only when their toggle is clicked (hamburger, account).
        revealed = await open_menus(c, cands)
        if revealed:
            cands = await c.candidates(context=True) + revealed
        c.state["home_cands"] = cands
        c.state["products"] = []
        remember_products(c, c.vocab.product_links(cands, c.origin))

    return await c.step("home", action)


async def popups(c: Crawl) -> Step:
    """Close cookie banners / modals over the page, recording what was closed."""
    dismissed: list[dict[str, str]] = []

    async def action(step: Step) -> None:
        for _ in range(3):
            overlays = await c.page.evaluate(OVERLAYS_JS)
            if not overlays:
                break
            cands = [x for x in await c.candidates() if x.region == "dialog" or not x.href]
            found = c.vocab.best("popup_close", cands, c.origin, minimum=0.5)
            if found is None:
                break
            await c.click(found)
            dismissed.append(
                {
                    "step": step.id,
                    "text": found.candidate.text or found.candidate.aria,
                    "selector": found.candidate.path,
                }
            )
        step.tags = [f"dismissed:{len(dismissed)}"]
        c.writer.set_fact("popups", {"step": step.id, "dismissed": dismissed})

    return await c.step("popups", action, capture="screen")


async def language(c: Crawl) -> Step:
    async def action(step: Step) -> None:
        alternates = await c.page.evaluate(
            "() => Array.from(document.querySelectorAll('link[rel=alternate][hreflang]'))"
            ".map(l => ({hreflang: l.hreflang, href: l.href}))"
        )
        cands = c.state.get("home_cands") or await c.candidates()
        switch = c.vocab.best("language_switch", cands, c.origin, minimum=0.5)
        # A <select> of languages (Django's set_language form) counts as a switcher too.
        has_select = await c.page.evaluate(
            "() => Array.from(document.querySelectorAll('select')).some(s => Array.from(s.options)"
            ".some(o => /^(English|中文|简体中文|繁體中文|EN|ZH)/i.test(o.text.trim())))"
        )
        c.writer.set_fact(
            "language",
            {
                "step": "home",
                "switcher_found": bool(switch) or bool(has_select),
                "selector": switch.candidate.path if switch else ("select" if has_select else ""),
                "excerpt": (switch.candidate.text if switch else ""),
                "alternates": alternates,
                "switched_step": "",
                "switched_language": "",
            },
        )

    return await c.step("language", action, capture="none")


async def links_check(c: Crawl) -> Step:
    async def action(step: Step) -> None:
        cands: list[Candidate] = c.state.get("home_cands") or []
        ordered = sorted(cands, key=lambda x: (x.region != "footer", x.index))
        urls: list[str] = []
        for cand in ordered:
            url = cand.href.split("#")[0]
            if url and c.same_site(url) and url not in urls and not _is_action_url(url):
                if c.robots is None or c.robots.allows(url):
                    urls.append(url)
            if len(urls) >= MAX_LINKS:
                break
        broken = []
        held = [u for u in urls if c.guard is not None and not c.guard.allows("GET", u)]
        urls = [u for u in urls if u not in held]  # opening these could create an order
        for url in urls:
            status, error = await _probe_link(c, url)
            if error or status >= 400:
                broken.append({"url": url, "status": status, "error": error, "from_step": "home"})
        step.tags = [f"checked:{len(urls)}", f"broken:{len(broken)}", f"held:{len(held)}"]
        c.writer.set_fact(
            "links", {"step": "home", "checked": len(urls), "broken": broken, "sample": urls[:10]}
        )

    return await c.step("links", action, capture="none", timeout=max(c.step_timeout_s, 45))


async def _probe_link(c: Crawl, url: str) -> tuple[int, str]:
    """HTTP status of a link: HEAD first (cheap), GET when HEAD fails, is refused or garbled.
    Some servers route GET only and answer every HEAD with 404: a customer never sends one."""
    if c.throttle is not None:
        await c.throttle(url)
    try:
        resp = await c.link_client.head(url, timeout=5000, max_redirects=5)
        if resp.status < 400:
            return resp.status, ""
    except Exception:  # noqa: BLE001 - some servers answer HEAD badly; GET decides
        pass
    try:
        resp = await c.link_client.get(url, timeout=5000, max_redirects=5)
        return resp.status, ""
    except Exception as exc:  # noqa: BLE001 - an unreachable link is what we are looking for
        return 0, str(exc).splitlines()[0][:120]


async def listings(c: Crawl) -> None:
    """One or two listing pages, then probe their sort/filter controls."""
    cands: list[Candidate] = c.state.get("home_cands") or []
    ranked = c.vocab.rank("listing", [x for x in cands if x.href], c.origin)
    pin = c.profile.pin("listing")
    targets: list[Found] = []
    if pin and pin.url:
        targets.append(Found("listing", Candidate(text="", href=pin.url), 1.0, "profile"))
    seen_urls: set[str] = set()
    for found in ranked:
        if found.url not in seen_urls and found.url.rstrip("/") != c.start_url.rstrip("/"):
            seen_urls.add(found.url)
            targets.append(found)
        if len(targets) >= MAX_LISTINGS:
            break
    pooled = c.pool.get("listing")  # no listing link on home: one the sitemaps list, if any
    if not targets and pooled and pooled.url.rstrip("/") != c.start_url.rstrip("/"):
        targets.append(pooled)
    if not targets:
        # No link says "all products" or "category": try the short words of the navigation.
        guesses = nav_categories(c, cands)
        if guesses:
            step = await c.step("listing", category_by_cards(c, guesses))
            if step.status == "ok":
                await listing_controls(c, step)
                return
        await c.step("listing", _blocked("no listing/category link found on the home page"))
        return
    first: Step | None = None
    for found in targets:
        step = await c.step("listing", _visit_found(c, found, collect_products=True))
        first = first or (step if step.status == "ok" else None)
    if first is not None:
        await listing_controls(c, first)


MIN_CARDS = 3  # product cards that make a page a listing
MAX_CATEGORY_GUESSES = 3


def nav_categories(c: Crawl, cands: list[Candidate]) -> list[Candidate]:
    """Links of the main navigation or a menu with a short label ("Kitchen", "厨房") that
    name no other journey page: category links, recognised by where they stand."""
    product_re = c.vocab.regexes("product_url")
    out: list[Candidate] = []
    for x in cands:
        label = normalise(x.text)
        if not x.href or x.region not in ("nav", "header", "menu") or not c.same_site(x.href):
            continue
        if not label or len(label) > 20 or len(label.split()) > 3 or _is_action_url(x.href):
            continue
        if x.href.rstrip("/") == c.start_url.rstrip("/") or product_re.search(x.href):
            continue
        if any(c.vocab.score(t, x)[0] >= MIN_CONFIDENCE for t in LINK_TARGETS if t != "listing"):
            continue
        if all(o.href != x.href for o in out):
            out.append(x)
    return out[:MAX_CATEGORY_GUESSES]


def category_by_cards(c: Crawl, guesses: list[Candidate]):
    """Open the guessed category links until one leads to a page of product cards."""

    async def action(step: Step) -> None:
        for cand in guesses:
            await c.goto(cand.href, step)
            await load_more(c)
            page = await c.candidates(context=True)
            cards = c.vocab.product_links(page, c.origin)
            count = len(cards) or len(quick_views(c, page))
            if count >= MIN_CARDS:
                step.url = cand.href
                step.found_by = (
                    f"{cand.region} link '{normalise(cand.text)[:30]}'"
                    f" \u2192 page with {count} product cards"
                )
                step.confidence = 0.7
                remember_products(c, cards)
                return
        raise NotFound("no navigation link led to a page of product cards")

    return action


def _blocked(reason: str):
    async def action(step: Step) -> None:
        raise Blocked(reason)

    return action


def _visit_found(c: Crawl, found: Found, collect_products: bool = False):
    async def action(step: Step) -> None:
        step.found_by, step.confidence = found.found_by, found.confidence
        await c.goto(found.url, step)
        if collect_products:
            await load_more(c)
            cands = await c.candidates(context=True)
            remember_products(c, c.vocab.product_links(cands, c.origin))

    return action


async def listing_controls(c: Crawl, listing_step: Step) -> Step:
    async def action(step: Step) -> None:
        await c.goto(listing_step.final_url or listing_step.url, step)
        fields = await c.fields()
        sort_sel = [
            f
            for f in fields
            if f["tag"] == "select"
            and re.search(r"sort|order|排序", f"{f['name']} {f['id']} {f['label']}", re.I)
        ]
        sort_options = [o["text"] for f in sort_sel for o in f["options"]]
        cands = await c.candidates()
        sort_links = [
            x
            for x in cands
            if re.search(r"排序|销量|价格|新品|sort|price|newest|popular", x.text, re.I)
            and len(x.text) < 20
        ]
        if not sort_options:
            sort_options = [x.text for x in sort_links][:10]
        filters = [
            x.text
            for x in cands
            if x.href
            and x.text
            and x.text not in sort_options
            and re.search(
                r"[?&](cat|category|brand|price|filter|attr|selected_facets)|/category/",
                x.href,
                re.I,
            )
            and c.vocab.score("language_switch", x)[0] < 0.5
        ][:15]
        before = await _product_order(c)
        applied = False
        if sort_sel and len(sort_sel[0]["options"]) > 1:
            current = next((o for o in sort_sel[0]["options"] if o["selected"]), None)
            choice = next(o for o in sort_sel[0]["options"][1:] if o is not current)
            await c.page.locator(sort_sel[0]["selector"]).select_option(value=choice["value"])
            await c.settle(400)
            if c.page.url == (listing_step.final_url or listing_step.url):
                # Selects inside a form without auto-submit: submit the form ourselves.
                await c.page.locator(sort_sel[0]["selector"]).evaluate(
                    "el => el.form && (el.form.requestSubmit ? el.form.requestSubmit()"
                    " : el.form.submit())"
                )
                await c.settle(400)
            applied = True
        elif sort_links:
            await c.click(sort_links[-1])
            applied = True
        after = await _product_order(c) if applied else before
        c.writer.set_fact(
            "listing_controls",
            {
                "step": listing_step.id,
                "probe_step": step.id,
                "sort_options": sort_options[:15],
                "filters": filters,
                "sort_applied": applied,
                "order_changed": applied and bool(before) and before != after,
            },
        )

    return await c.step("listing_controls", action, capture="screen")


async def _product_order(c: Crawl) -> list[str]:
    cands = await c.candidates()
    return [f.url for f in c.vocab.product_links(cands, c.origin)][:20]


def pick_query(products: list[Found]) -> str:
    """A search word from a product name seen on the store: Chinese chars or a long English word."""
    for found in products:
        name = normalise(found.candidate.text or found.candidate.aria)
        if not name:
            continue
        cjk = re.findall(r"[\u4e00-\u9fff]{2,}", name)
        if cjk:
            return cjk[0][:4]
        words = sorted(re.findall(r"[A-Za-z]{4,}", name), key=len, reverse=True)
        if words:
            return words[0]
    return ""


async def search(c: Crawl) -> Step:
    async def action(step: Step) -> None:
        query = c.profile.search_query or pick_query(c.state.get("products", []) or _card_names(c))
        if not query:
            raise Blocked("no product name seen to search for")
        if c.page.url.rstrip("/") != c.start_url.rstrip("/"):
            await c.goto(c.start_url)
        fields = await c.fields()
        pin = c.profile.pin("search")
        box = None
        if pin and pin.selector:
            box = {"selector": pin.selector}
            step.found_by = "profile"
        else:
            boxes = [f for f in fields if f["cls"] == "search" and f["visible"]]
            box = boxes[0] if boxes else None
            if box:
                step.found_by = f"search field '{box['name'] or box['id'] or box['placeholder']}'"
                step.confidence = 0.9 if box["type"] == "search" else 0.75
        if box is None:
            # A search icon that shows the field when clicked.
            outcome = await reveal_field(c, "search_toggle")
            shown = [f for f in (outcome.fields if outcome else []) if f["cls"] == "search"]
            if shown:
                box = shown[0]
                step.found_by, step.confidence = f"{outcome.path} \u2192 search field", 0.8
        if box is None:
            raise NotFound("no search box found")
        step.url = c.page.url
        await c.page.locator(box["selector"]).fill(query)
        await c.page.locator(box["selector"]).press("Enter")
        await c.settle(300)
        results = await _result_items(c)
        step.tags = [f"results:{len(results)}"]
        c.writer.set_fact(
            "search",
            {
                "query": query,
                "step": step.id,
                "result_count": len(results),
                "results_selector": "",
                "first_results": results[:5],
            },
        )

    return await c.step("search", action)


def _card_names(c: Crawl) -> list[Found]:
    """Product cards without product links (quick-view cards): their text names the goods."""
    views = quick_views(c, c.state.get("home_cands") or [])
    return [Found("product", Candidate(text=f.candidate.context), 0.5, "card") for f in views]


async def _result_items(c: Crawl) -> list[str]:
    cands = await c.candidates(context=True)
    found = c.vocab.product_links(cands, c.origin)
    remember_products(c, found)
    names: list[str] = []
    for f in found:
        name = normalise(f.candidate.text or f.candidate.aria)
        if name and name not in names:
            names.append(name)
    if not names:  # product cards without product pages (quick-view cards)
        names = [normalise(f.candidate.context)[:80] for f in quick_views(c, cands)]
    return names


def _stock_hint(found: Found, c: Crawl) -> str:
    text = found.candidate.context or found.candidate.text
    for state in ("out_of_stock", "low_stock"):
        if c.vocab.pattern("availability", state).search(text):
            return state
    return ""


def product_plan(c: Crawl, limit: int) -> list[Found]:
    """Products to open: profile's first, then one hinting out of stock, one low, then the rest."""
    products: list[Found] = c.state.get("products", [])
    chosen: list[Found] = [
        Found("product", Candidate(text="", href=u), 1.0, "profile") for u in c.profile.products
    ]
    for state in ("out_of_stock", "low_stock"):
        hinted = [f for f in products if _stock_hint(f, c) == state and f not in chosen]
        chosen.extend(hinted[:1])
    for f in products:
        if len(chosen) >= limit:
            break
        if f not in chosen:
            chosen.append(f)
    # Put an in-stock-looking product first so cart steps have one early.
    chosen.sort(key=lambda f: _stock_hint(f, c) == "out_of_stock")
    return chosen[:limit]


async def products(c: Crawl, limit: int) -> None:
    plan = product_plan(c, limit)
    if not plan:
        # No product pages: details may open in dialogs from the product cards.
        listing = c.reach.get("listing") or {}
        pages = [c.start_url] + ([listing["url"]] if listing.get("status") == "ok" else [])
        seen = await dialog_products(c, pages, min(limit, 3))
        if seen:
            c.state["product_pages"] = seen
            c.writer.set_fact("structured_data", {"products": []})
            record_products_seen(c)
            return
        await c.step("product", _blocked("no product link found on home or listing pages"))
        return
    seen: list[dict[str, Any]] = []
    structured: list[dict[str, Any]] = []
    for found in plan:
        await c.step("product", _product_action(c, found, seen, structured))
    # Conditional parts of some items (safety warnings, installation) are judged on goods that
    # meet the condition: open one of each when the cards show one the plan missed (bounded).
    opened = list(plan)
    for found in condition_extras(c, opened):
        await c.step("product", _product_action(c, found, seen, structured))
        opened.append(found)
    # Still no out-of-stock product? Try a few more links from the pool, bounded.
    if seen and not any(p["state"] == "out_of_stock" for p in seen):
        rest = [f for f in c.state.get("products", []) if f not in opened][:2]
        for found in rest:
            await c.step("product", _product_action(c, found, seen, structured))
            if any(p["state"] == "out_of_stock" for p in seen):
                break
    c.state["product_pages"] = seen
    c.writer.set_fact("structured_data", {"products": structured})
    record_products_seen(c)


# Product conditions (vocabulary.yaml product_conditions) whose goods are worth one extra page.
CONDITIONS = ("safety_risk", "needs_installation")
MAX_SEEN = 200  # product cards listed in the products_seen fact


def card_name(found: Found) -> str:
    return normalise(found.candidate.text or found.candidate.aria)


def condition_extras(c: Crawl, chosen: list[Found]) -> list[Found]:
    """At most one product per condition that a card names and the chosen ones do not meet."""
    products: list[Found] = c.state.get("products", [])
    extras: list[Found] = []
    for key in CONDITIONS:
        meets = c.vocab.pattern("product_conditions", key)
        if any(meets.search(card_name(f)) for f in chosen + extras):
            continue
        match = next(
            (
                f
                for f in products
                if f not in chosen and f not in extras and meets.search(card_name(f))
            ),
            None,
        )
        if match is not None:
            extras.append(match)
    return extras


def record_products_seen(c: Crawl) -> None:
    """Every product card seen on home, listing and search pages (name, link, stock badge, the
    step that saw it): checks judge conditional parts against all goods seen, not a sample."""
    origin: dict[str, str] = c.state.get("product_origin", {})
    rows = []
    for found in c.state.get("products", [])[:MAX_SEEN]:
        name = card_name(found)
        if name:
            rows.append(
                {
                    "name": name[:120],
                    "url": found.url,
                    "state": _stock_hint(found, c),
                    "step": origin.get(found.url, ""),
                }
            )
    c.writer.set_fact("products_seen", {"products": rows})


def remember_products(c: Crawl, found: list[Found]) -> None:
    """Add product links to the pool, noting the step that saw each first."""
    pool = c.state.setdefault("products", [])
    origin = c.state.setdefault("product_origin", {})
    known = {f.url for f in pool}
    for f in found:
        if f.url not in known:
            pool.append(f)
            known.add(f.url)
            origin.setdefault(f.url, c.current_step)


def _product_action(
    c: Crawl, found: Found, seen: list[dict[str, Any]], structured: list[dict[str, Any]]
):
    async def action(step: Step) -> None:
        step.found_by, step.confidence = found.found_by, found.confidence
        await c.goto(found.url, step)
        labels = "|".join(re.escape(w) for w in c.vocab.words("patterns", "stock_label"))
        area = await c.page.evaluate(PRODUCT_AREA_JS, labels)
        data = await c.page.evaluate(STRUCTURED_DATA_JS)
        for item in data:
            structured.append(
                {
                    "step": step.id,
                    **{
                        k: item.get(k, "")
                        for k in (
                            "name",
                            "price",
                            "currency",
                            "availability",
                            "brand",
                            "sku",
                            "source",
                        )
                    },
                }
            )
        schema = [d.get("availability", "") for d in data]
        state, why = "", ""
        for source in ("stock", "buy_box", "area"):
            state, why = availability(area[source], schema, c.vocab)
            if state:
                why = f"{why} ({source.replace('_', ' ')})"
                break
        cands = [x for x in await c.candidates() if not x.href or "add" in x.href]
        add = c.vocab.best("add_to_cart", cands, c.origin)
        needs_options = False
        if add is None:
            # A disabled add-to-cart: sold out, or waiting for a size or colour to be chosen.
            off = c.vocab.best("add_to_cart", [x for x in cands if x.disabled], c.origin, 0.2)
            if off is not None and state != "out_of_stock" and await _option_groups(c):
                add, needs_options = off, True
            elif off is not None and not state:
                state, why = "out_of_stock", "add-to-cart control disabled"
        if state:
            step.tags = [state]
        if needs_options:
            step.tags.append("needs_options")
        seen.append(
            {
                "step": step.id,
                "url": c.page.url,
                "name": area["name"],
                "state": state,
                "why": why,
                "add": add,
                "has_structured": bool(data),
            }
        )
        if add is None:
            step.tags.append("no_add_to_cart")

    return action


async def cart_add(c: Crawl) -> Step:
    async def action(step: Step) -> None:
        pages = [
            p
            for p in c.state.get("product_pages", [])
            if p["add"] is not None and p["state"] != "out_of_stock"
        ]
        if not pages:
            raise Blocked("no product page with an add-to-cart control")
        product = pages[0]
        c.state["cart_product"] = product
        await c.goto(product["url"], step)
        cands = None
        if product.get("dialog"):
            _control, outcome = await open_dialog(c, product["url"], product["dialog"])
            cands = [x for x in await c.candidates() if x.region == "dialog" and not x.href]
        await _choose_required_options(c)
        found = await c.find(
            "add_to_cart",
            cands=cands or [x for x in await c.candidates() if not x.href or "add" in x.href],
        )
        if found is None:
            raise Blocked("add-to-cart control not found on re-visit")
        step.found_by, step.confidence = found.found_by, found.confidence
        await c.click(found, wait_ms=300)
        text = await c.visible_text(5000)
        added_msg = re.search(r"已加入|已添加|加入成功|added to|has been added|成功", text, re.I)
        c.writer.set_fact(
            "cart_add",
            {
                "product_step": product["step"],
                "step": step.id,
                "control_text": found.candidate.text or found.candidate.aria,
                "selector": found.candidate.path,
                "added": True,
                "message": added_msg.group(0) if added_msg else "",
                "cart_step": "",
                "cart_contains": False,
                "item_excerpt": "",
            },
        )

    return await c.step("cart_add", action, capture="screen")


def _option_words(c: Crawl) -> dict[str, Any]:
    """What OPTION_CHOICES_JS needs: the add-to-cart words, and the words of controls it must
    never take for an option (buy now, pay, place order)."""
    return {
        "add": "|".join(re.escape(w) for w in c.vocab.targets["add_to_cart"].words),
        "never": [w.lower() for w in c.vocab.order_action_words() if not w.startswith("re:")],
    }


async def _option_groups(c: Crawl) -> int:
    return len(await c.page.evaluate(OPTION_CHOICES_JS, _option_words(c)))


async def _choose_required_options(c: Crawl) -> None:
    """Pick the first real option of selects/radios in the add-to-cart form (size, colour),
    and the first of each group of option buttons ("swatches") beside the add-to-cart control."""
    for f in await c.fields():
        if f["tag"] == "select" and f["visible"] and not f["value"] and len(f["options"]) > 1:
            option = next((o for o in f["options"] if o["value"]), None)
            if option:
                await c.page.locator(f["selector"]).select_option(value=option["value"])
    for selector in await c.page.evaluate(OPTION_CHOICES_JS, _option_words(c)):
        try:
            await c.click(selector, wait_ms=100)
        except Exception:  # noqa: BLE001 - an option that cannot be clicked stays unchosen
            continue


async def cart(c: Crawl, probe: str = "") -> Step:
    """The cart page; the first visit checks the added item is there."""

    async def action(step: Step) -> None:
        found = await c.find("cart", links_only=True, use_pool=True)
        if found is None:
            # A cart icon that opens a mini-cart drawer whose "View cart" leads on.
            found = await open_panel_link(c, "cart_toggle", "cart")
        if found is None:
            raise NotFound("no cart link found")
        step.found_by, step.confidence = found.found_by, found.confidence
        await c.goto(found.url, step)
        if not c.logged_in and await _asks_to_sign_in(c):
            # Tried again once signed in (retry_after_login).
            c.state.setdefault("login_walls", []).append("cart")
            raise Blocked("the cart asks to sign in first", screenshot=True)
        items = await cart_items(c)
        step.tags = [f"items:{len(items)}"] + ([probe] if probe else [])
        c.state["cart_url"] = c.page.url
        c.state["last_cart_step"] = step.id
        fact = c.writer.facts.get("cart_add")
        if fact and not fact.get("cart_step"):
            name = (c.state.get("cart_product") or {}).get("name", "")
            hit = next((i for i in items if name and clean_label(name)[:20] in i.lower()), "")
            fact.update(
                cart_step=step.id,
                cart_contains=bool(hit) or (bool(items) and not name),
                item_excerpt=(hit or (items[0] if items else ""))[:160],
            )
        c.state.setdefault("cart_items_seen", []).append(items)

    return await c.step("cart", action)


async def _asks_to_sign_in(c: Crawl) -> bool:
    return any(f["type"] == "password" and f["visible"] for f in await c.fields())


async def retry_after_login(c: Crawl) -> None:
    """Pages that asked to sign in first (a cart behind a login), opened again signed in."""
    walls = c.state.pop("login_walls", [])
    if c.logged_in and "cart" in walls:
        step = await cart(c)
        if step.status == "ok":  # the cart probes that needed the page, now it is open
            await cart_edit(c)
            await cart_persist(c)


def _row_name(c: Crawl, row: dict[str, Any]) -> str:
    """A cart line's product: its link, unless the only link is an action ("Remove")."""
    link = row["link_text"]
    if link and c.vocab.score("remove_item", Candidate(text=link, tag="a"))[0] < 0.5:
        return link
    # The name comes before the prices, which change with the quantity.
    price = c.vocab.pattern("patterns", "price").search(row["text"])
    return row["text"][: price.start()].strip() if price and price.start() else row["text"]


async def cart_items(c: Crawl) -> list[str]:
    rows = await c.page.evaluate(ROWS_JS, {})
    items = [normalise(_row_name(c, r)) for r in rows if r["has_qty"]]
    if not items:
        cands = await c.candidates()
        items = [
            normalise(f.candidate.text)
            for f in c.vocab.product_links(cands, c.origin)
            if normalise(f.candidate.text)
        ]
    return list(dict.fromkeys(items))[:20]


async def cart_edit(c: Crawl) -> Step:
    async def action(step: Step) -> None:
        if not c.state.get("cart_url"):
            raise Blocked("cart page not reached")
        if c.page.url != c.state["cart_url"]:
            await c.goto(c.state["cart_url"], step)
        step.url = c.page.url
        fields = await c.fields()
        qty = next(
            (
                f
                for f in fields
                if f["cls"] == "quantity" and f["visible"] and f["tag"] in ("input", "select")
            ),
            None,
        )
        total_before = await _total_text(c)
        cands = await c.candidates()
        remove = c.vocab.best("remove_item", cands, c.origin)
        if qty is None:
            c.writer.set_fact(
                "cart_edit",
                {
                    "step": step.id,
                    "status": "blocked",
                    "reason": "no quantity field in the cart",
                    "remove_control": remove is not None,
                },
            )
            raise NotFound("no quantity field in the cart")
        before = qty["value"]
        new_value = "2" if before != "2" else "3"
        loc = c.page.locator(qty["selector"])
        if qty["tag"] == "select":
            await loc.select_option(value=new_value)
        else:
            await loc.fill(new_value)
        update = c.vocab.best("update_cart", [x for x in cands if not x.href], c.origin)
        if update is not None:
            await c.click(update, wait_ms=300)
        else:
            await loc.press("Enter")
            await c.settle(500)
        fields_after = await c.fields()
        qty_after = next((f for f in fields_after if f["cls"] == "quantity" and f["visible"]), None)
        after = qty_after["value"] if qty_after else ""
        total_after = await _total_text(c)
        step.found_by = f"quantity field '{qty['name'] or qty['label']}'"
        c.writer.set_fact(
            "cart_edit",
            {
                "step": step.id,
                "quantity_before": before,
                "quantity_after": after,
                "changed": after == new_value,
                "total_before": total_before,
                "total_after": total_after,
                "remove_control": remove is not None,
                "update_control": update.candidate.text if update else "",
            },
        )

    return await c.step("cart_edit", action, capture="screen")


TOTAL_JS = r"""(words) => {
  const re = new RegExp(words, 'i');
  const money = /[¥￥$£€]\s*\d[\d,]*(\.\d{1,2})?|\d[\d,]*(\.\d{1,2})?\s*(元|CNY|RMB)/;
  let best = '';
  for (const el of document.querySelectorAll('tr, li, dl, div, p, span, th, td')) {
    const t = (el.innerText || '').replace(/\s+/g, ' ').trim();
    if (t.length > 80 || !re.test(t)) continue;
    let m = t.match(money);
    if (!m && el.nextElementSibling) m = (el.nextElementSibling.innerText || '').match(money);
    if (m) best = t.length <= 80 ? (m[0] === t ? t : t) : m[0];
  }
  return best;
}"""


async def _total_text(c: Crawl) -> str:
    words = "|".join(re.escape(w) for w in c.vocab.words("patterns", "total"))
    text = await c.page.evaluate(TOTAL_JS, words)
    prices = find_prices(text or "", c.vocab)
    return prices[-1] if prices else (text or "")[:60]


async def cart_persist(c: Crawl) -> None:
    """Browse away to another product, come back: is the cart still as we left it?"""
    before = (c.state.get("cart_items_seen") or [[]])[-1]
    if not c.state.get("cart_url"):
        await c.step("cart_persist", _blocked("cart page not reached"), capture="none")
        return
    others = [
        p
        for p in c.state.get("product_pages", [])
        if p["url"] != (c.state.get("cart_product") or {}).get("url")
    ]

    async def away(step: Step) -> None:
        target = others[0]["url"] if others else c.start_url
        step.found_by = "another product page" if others else "home page"
        await c.goto(target, step)

    away_step = await c.step("cart_persist", away, capture="screen")
    back = await cart(c, probe="cart_persist")
    after = (c.state.get("cart_items_seen") or [[]])[-1]
    c.writer.set_fact(
        "cart_persist",
        {
            "away_step": away_step.id,
            "back_step": back.id,
            "step": back.id,
            "items_before": before,
            "items_after": after,
            "preserved": bool(before) and set(before) <= set(after),
        },
    )


async def one_click(c: Crawl) -> Step:
    """Look for a one-click / buy-now control on product and cart pages; never click it."""

    async def action(step: Step) -> None:
        cands = await c.candidates()
        found = c.vocab.best("buy_now", cands, c.origin, minimum=0.5)
        where = "cart"
        if found is None:
            for product in c.state.get("product_pages", [])[:2]:
                await c.goto(product["url"], step)
                found = c.vocab.best("buy_now", await c.candidates(), c.origin, minimum=0.5)
                if found is not None:
                    where = product["step"]
                    break
        else:
            where = c.state.get("last_cart_step") or "cart"
        c.writer.set_fact(
            "one_click",
            {
                "found": found is not None,
                "step": where if found else "",
                "selector": found.candidate.path if found else "",
                "control_text": (found.candidate.text or found.candidate.aria) if found else "",
                "excerpt": (found.candidate.text or found.candidate.aria) if found else "",
            },
        )
        step.tags = ["found"] if found else ["not_found"]

    return await c.step("one_click", action, capture="none")


async def language_switch(c: Crawl) -> Step:
    """Switch the store's language once (last, as it may stick to the session) and capture it."""

    async def action(step: Step) -> None:
        fact = c.writer.facts.get("language") or {}
        await c.goto(c.start_url)
        before = await c.page.evaluate("() => document.documentElement.lang || ''")
        target = ""
        for alt in fact.get("alternates", []):
            lang = alt.get("hreflang", "")
            if lang and lang != "x-default" and not _same_language(lang, before):
                target, step.found_by = alt["href"], f"hreflang {lang}"
                break
        if not target:
            found = c.vocab.best("language_switch", await c.candidates(), c.origin, minimum=0.5)
            if found is not None and found.url:
                target, step.found_by, step.confidence = found.url, found.found_by, found.confidence
        if target:
            await c.goto(target, step)
        elif not await _switch_by_select(c, step, before):
            raise Skip("no language switch link or selector on the home page")
        after = await c.page.evaluate("() => document.documentElement.lang || ''")
        step.tags = [after or "unknown"]
        if fact:
            fact.update(switched_step=step.id, switched_language=after, language_before=before)

    return await c.step("language_switch", action)


def _same_language(a: str, b: str) -> bool:
    return a.split("-")[0].lower() == b.split("-")[0].lower()


# A language <select> (Django's set_language form and the like): its options name languages.
LANGUAGE_SELECT_JS = r"""(before) => {
  const base = (before || '').split('-')[0].toLowerCase();
  for (const sel of document.querySelectorAll('select')) {
    const opts = Array.from(sel.options);
    if (!opts.some(o => /^(English|中文|简体中文|繁體中文|EN|ZH)/i.test(o.text.trim()))) continue;
    const other = opts.find(o => o.value && o.value.split('-')[0].toLowerCase() !== base);
    if (!other) continue;
    sel.setAttribute('data-b2cect-c', 'lang-select');
    return {value: other.value, text: other.text.trim()};
  }
  return null;
}"""


async def _switch_by_select(c: Crawl, step: Step, before: str) -> bool:
    choice = await c.page.evaluate(LANGUAGE_SELECT_JS, before)
    if not choice:
        return False
    step.url = c.page.url
    step.found_by, step.confidence = f"language selector option '{choice['text']}'", 0.8
    loc = c.page.locator('[data-b2cect-c="lang-select"]')
    await loc.select_option(value=choice["value"])
    url = c.page.url
    await c.settle(300)
    if c.page.url == url:  # no auto-submit: submit the selector's form like its button would
        await loc.evaluate(
            "el => el.form && (el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit())"
        )
        await c.settle(300)
    return True
