"""The order guard: no request the crawler causes creates an order on a store that is not a
test store, whatever its controls say (crawler/guard.py, tests/trap_stores/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from b2cect.crawler.discovery import load_vocabulary
from b2cect.crawler.guard import GuardWords, OrderGuard, body_words
from b2cect.crawler.scan import ScanOptions, scan_sync

from tests.trap_stores.app import DETECTED_TRAPS, DIALOGS, TRAPS, TrapStore


def guard(stage: str = "browse", enforce: bool = True) -> OrderGuard:
    g = OrderGuard(GuardWords.from_vocabulary(load_vocabulary().raw), enforce=enforce)
    g.stage = stage
    return g


GRAPHQL = "http://s.test/api/graphql"


# --- the rules, without a browser --------------------------------------------------------------
@pytest.mark.parametrize(
    ("stage", "method", "url", "body"),
    [
        ("browse", "GET", "http://s.test/order/create?sku=1", None),
        ("browse", "GET", "http://s.test/api/submitOrder", None),
        ("browse", "POST", "http://s.test/trade/placeOrder", "{}"),
        ("after", "GET", "http://s.test/%E4%B8%8B%E5%8D%95?id=3", None),  # /下单
        ("checkout", "POST", "http://s.test/order", "name=a&mobile=1"),
        ("checkout", "POST", "http://s.test/checkout", "name=a&address=b"),
        ("checkout", "POST", "http://s.test/checkout/step2", "name=a"),
        ("checkout", "POST", "http://s.test/api/checkout", '{"name": "a"}'),
        ("checkout", "POST", "http://s.test/checkout/shipping-address/", "action=place_order"),
        ("checkout", "POST", "http://s.test/checkout/address", "op=submit"),
        ("checkout", "POST", "http://s.test/cart/checkout", "go=1"),
        ("checkout", "GET", "http://s.test/checkout/next?action=confirm", None),
        ("checkout", "GET", "http://s.test/trade/pay?id=1", None),
        ("checkout", "GET", "http://s.test/buy/%E6%8F%90%E4%BA%A4", None),  # /buy/提交
        ("review", "POST", "http://s.test/checkout/shipping-address/", "first_name=a"),
        ("review", "PUT", "http://s.test/api/cart", "{}"),
        # Payment steps that are more than a method choice (Magento's order-placing call has a
        # billing address and email and no "method" in its path), or on the review page.
        (
            "checkout",
            "POST",
            "http://s.test/rest/default/V1/carts/mine/payment-information",
            '{"paymentMethod": {"method": "checkmo"}, "billing_address": {"city": "x"}}',
        ),
        ("checkout", "POST", "http://s.test/checkout/payment/", "payment_method=cod"),
        (
            "checkout",
            "POST",
            "http://s.test/checkout/payment-method/",
            "payment_method=cod&email=a",
        ),
        ("checkout", "POST", "http://s.test/checkout/payment-method/", "method=4111111111111111"),
        ("checkout", "POST", "http://s.test/checkout/payment-method/", "method=card&cvv=123"),
        ("checkout", "POST", "http://s.test/checkout/payment-method/", "method=cod&submit=1"),
        ("checkout", "POST", "http://s.test/checkout/payment-method/", "csrf_token=abc"),
        ("checkout", "POST", "http://s.test/checkout/pay-method/", "method=cod"),
        ("checkout", "POST", "http://s.test/payment-method/order", "method=cod"),
        ("review", "POST", "http://s.test/checkout/payment-method/", "payment_method=cod"),
        # GraphQL that writes, hides its operation, or names order creation.
        ("checkout", "POST", GRAPHQL, '{"query": "mutation { addShippingAddress(a: 1) }"}'),
        ("checkout", "POST", GRAPHQL, '{"query": "query Q { cart { id } } mutation M { x }"}'),
        ("checkout", "POST", GRAPHQL, '[{"query": "{ cart { id } }"}, {"query": "mutation{x}"}]'),
        ("checkout", "POST", GRAPHQL, '{"query": "subscription { orderUpdates { id } }"}'),
        ("checkout", "POST", GRAPHQL, '{"extensions": {"persistedQuery": {"sha256Hash": "ab"}}}'),
        ("browse", "POST", GRAPHQL, '{"query": "query { placeOrder(cart: 1) { id } }"}'),
        ("review", "POST", "http://s.test/api/confirm", '{"query": "{ cart { id } }"}'),
    ],
)
def test_blocks_what_could_create_an_order(stage, method, url, body):
    decision = guard(stage).decide(method, url, body)
    assert not decision.allowed, decision.rule


@pytest.mark.parametrize(
    ("stage", "method", "url", "body"),
    [
        ("browse", "POST", "http://s.test/cart/add", "pid=1&qty=1"),
        ("browse", "POST", "http://s.test/accounts/login/", "username=a&password=b"),
        # The reset request for the scan's own account, sent outside the checkout.
        ("browse", "POST", "http://s.test/password-reset", "channel=email&target=[redacted]"),
        ("browse", "POST", "http://s.test/accounts/password-reset/", "email=a%40b.test"),
        ("browse", "POST", "http://s.test/user/findpwd", "mobile=13800000000&op=submit"),
        ("browse", "GET", "http://s.test/account/orders/", None),
        ("checkout", "GET", "http://s.test/checkout/", None),
        ("checkout", "GET", "http://s.test/checkout/payment-method/", None),
        ("checkout", "GET", "http://s.test/checkout/preview/", None),
        ("checkout", "POST", "http://s.test/checkout/shipping-address/", "first_name=a&line1=b"),
        ("checkout", "POST", "http://s.test/api/region/cities", "province=11"),
        # The crawler's own remark ("测试订单，请勿发货") is free text, not a command.
        ("checkout", "POST", "http://s.test/checkout/address", "name=a&notes=测试订单，请勿发货"),
        ("review", "GET", "http://s.test/checkout/preview/", None),
        # A bare payment-method choice (and its anti-forgery token) is a step form.
        (
            "checkout",
            "POST",
            "http://s.test/checkout/payment-method/",
            "csrfmiddlewaretoken=Xy12abc&payment_method=bank-transfer",
        ),
        ("checkout", "POST", "http://s.test/api/payment/methods", '{"paymentMethodId": "cod"}'),
        # GraphQL queries read, as a GET does, wherever they are sent from; a mutation's name
        # inside a string or a comment is not an operation.
        (
            "checkout",
            "POST",
            GRAPHQL,
            '{"query": "query Cart($id: ID) { cart(id: $id) { total } }"}',
        ),
        ("review", "POST", GRAPHQL, '{"query": "{ cart { items { name } } }", "variables": {}}'),
        (
            "checkout",
            "POST",
            GRAPHQL,
            '{"query": "# no mutation here\\nquery { page(slug: \\"mutation\\") { id } }"}',
        ),
        (
            "checkout",
            "POST",
            GRAPHQL,
            '[{"query": "{ a }"}, {"query": "fragment F on C { id } query { c { ...F } }"}]',
        ),
    ],
)
def test_lets_through_what_cannot(stage, method, url, body):
    decision = guard(stage).decide(method, url, body)
    assert decision.allowed, decision.rule


def test_body_words_keep_keys_and_commands_not_free_text():
    words = body_words("name=Test+Buyer&action=place_order&notes=Test+order%2C+do+not+ship")
    assert "action" in words and "place_order" in words
    assert "ship" not in words
    assert "orderId" in body_words('{"cart": {"orderId": 3}}')


def test_record_mode_never_blocks_but_says_what_it_would_have_done():
    g = guard("checkout", enforce=False)
    assert g.allows("POST", "http://s.test/order")
    assert g.rows[-1]["decision"] == "allowed"
    assert "could create an order" in g.rows[-1]["rule"]


def test_order_signs_in_pages_and_answers():
    g = guard()
    assert g.order_said("Thank you, your order has been placed")
    assert g.order_said("提交成功！订单号：20261207001")
    assert not g.order_said("订单号 will be shown after payment")
    assert not g.order_said("Your cart: 2 items. Proceed to checkout")
    assert g.order_number_in({"ok": True, "data": {"orderNo": "A1001"}}) == "orderNo=A1001"
    assert g.order_number_in({"ok": True, "orderId": None}) == ""


# --- trap stores, scanned as a user would -----------------------------------------------------
def scan_trap(store: TrapStore, out: Path) -> tuple[dict, dict]:
    bundle = scan_sync(ScanOptions(url=store.url, out=out, step_timeout_s=8, max_products=1))
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    facts = json.loads((bundle / "facts.json").read_text(encoding="utf-8"))
    return manifest, facts


@pytest.mark.browser
@pytest.mark.parametrize("kind", TRAPS)
def test_a_scan_creates_no_order_on_a_trap_store(kind, tmp_path):
    with TrapStore(kind) as store:
        manifest, facts = scan_trap(store, tmp_path / "bundle")
        assert store.orders == []
    guard_fact = facts["order_guard"]
    assert guard_fact["mode"] == "enforce"
    assert facts["order_place"]["placed"] is False
    assert manifest["run"]["incidents"] == []
    # The checkout was reached and the trap's request, when the crawler made it, is a row.
    checkout = [s for s in manifest["steps"] if s["kind"] == "checkout"]
    assert checkout and checkout[0]["status"] == "ok"
    # The reach table says why the review and order pages were not reached.
    reach = {row["kind"]: row for row in manifest["reach"]}
    assert reach["checkout_review"]["note"].startswith("not reached: the checkout stopped at")
    assert reach["payment"]["note"] == (
        "not run: the order was not placed (not a test store: order not placed)"
    )
    held = [r for r in guard_fact["decisions"] if r["decision"] == "blocked"]
    if kind in ("continue_post", "next_pending", "xhr_json", "get_link"):
        assert held, "the crawler pressed the trap's control: the guard must have held it back"
        blocked_steps = [s for s in checkout if s["error"].startswith("not sent")]
        assert blocked_steps and "could create an order" in blocked_steps[0]["error"]


# --- a crawler that presses everything: the guard alone keeps the promise ----------------------
@pytest.mark.browser
@pytest.mark.parametrize("kind", TRAPS)
def test_pressing_every_checkout_control_creates_no_order(kind, tmp_path):
    from b2cect.crawler.bundle import BundleWriter
    from b2cect.crawler.profile import load_profile
    from b2cect.crawler.redact import Redactor
    from b2cect.crawler.scan import crawl_session, run_sync
    from b2cect.crawler.session import Blocked

    async def press_everything(url: str) -> list[str]:
        opts = ScanOptions(url=url, out=tmp_path)
        writer = BundleWriter(tmp_path / "b", store={}, tool={})
        outcomes = []
        async with crawl_session(opts, load_profile(None), writer, Redactor()) as (c, _):
            await c.goto(url + "product/1")
            await c.click("form[action='/cart/add'] button")
            c.guard.stage = "checkout"
            for round_ in range(3):  # the review page of review_confirm is one step further
                await c.goto(url + "checkout") if round_ == 0 else None
                for field, value in (
                    ("name", "测试"),
                    ("mobile", "13800138000"),
                    ("address", "测试路1号"),
                ):
                    if await c.page.locator(f"[name={field}]").count():
                        await c.page.locator(f"[name={field}]").fill(value)
                controls = c.page.locator("main button, main a[href]")
                if not await controls.count():
                    break
                try:
                    await c.click(controls.first)
                    outcomes.append(f"went on to {c.page.url}")
                except Blocked as exc:
                    outcomes.append(str(exc))
                    break
        return outcomes

    with TrapStore(kind) as store:
        outcomes = run_sync(press_everything(store.url))
        assert store.orders == [], outcomes
    assert outcomes and outcomes[-1].startswith("not sent: could create an order"), outcomes


# --- what the browser was shown ------------------------------------------------------------------
@pytest.mark.browser
def test_dialogs_and_popup_windows_are_step_rows_and_confirm_on_add_to_cart_is_accepted(tmp_path):
    with TrapStore(DIALOGS) as store:
        manifest, facts = scan_trap(store, tmp_path / "bundle")
        assert store.orders == []
    steps = manifest["steps"]
    dialogs = [s for s in steps if s["kind"] == "dialog"]
    assert any(s["title"].startswith("alert: Welcome!") for s in dialogs)
    confirm = next(s for s in dialogs if s["title"].startswith("confirm:"))
    assert "accepted" in confirm["tags"] and confirm["found_by"] == "during cart_add"
    windows = [s for s in steps if s["kind"] == "popup_window"]
    assert windows and windows[0]["url"].endswith("/promo") and "closed" in windows[0]["tags"]
    # The confirm() was accepted, so the item went into the cart as a customer's would.
    assert facts["cart_add"]["cart_contains"] is True


def test_store_name_from_og_site_name_is_the_text_not_the_markup(tmp_path):
    from b2cect.crawler.scan import _store_name

    home = tmp_path / "home.html"
    home.write_text('<meta property="og:site_name" content="M&amp;S Food &lt;Online&gt;">')
    assert _store_name(home, "Home") == "M&S Food <Online>"


@pytest.mark.browser
def test_an_order_created_by_a_step_form_stops_the_checkout_and_opens_the_report(tmp_path):
    from click.testing import CliRunner

    from b2cect.cli import main

    with TrapStore(DETECTED_TRAPS[0]) as store:
        args = ["scan", store.url, "--out", str(tmp_path), "-q", "--timeout", "8"]
        run = CliRunner().invoke(main, [*args, "--max-products", "1"])
        # The address step looked like a step form, so it went out: the store made one order,
        # and the scan stopped right there instead of going on.
        assert len(store.orders) == 1
    assert "THE STORE CREATED AN ORDER" in run.output
    manifest = json.loads((tmp_path / "bundle" / "manifest.json").read_text(encoding="utf-8"))
    facts = json.loads((tmp_path / "bundle" / "facts.json").read_text(encoding="utf-8"))
    incidents = manifest["run"]["incidents"]
    assert len(incidents) == 1 and "下单成功" in incidents[0]["what"]
    assert incidents[0]["method"] == "POST" and incidents[0]["url"].endswith("/checkout/address")
    place = facts["order_place"]
    assert place["placed"] is True and "created an order" in place["reason"]
    kinds = [s["kind"] for s in manifest["steps"]]
    assert not any(k.startswith("checkout") for k in kinds[kinds.index("order_place") :])
    # The report opens with it, in words a seller can act on, and lists the guard's rows.
    html = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    banner = html.index('id="incidents"')
    assert banner < html.index('id="findings"')
    assert "下单成功" in html[banner : banner + 3000] and "cancel it in the store" in html
    guard = html[html.index('id="order-guard"') :]
    assert "POST http://127.0.0.1" in guard and "checkout step form (&#39;address&#39;)" in guard


@pytest.mark.browser
def test_an_order_created_by_the_payment_method_step_stops_the_checkout(tmp_path):
    """The payment-method choice goes out (a bare method choice); this store places the order
    on it, says so, and the checkout stops at once: one order, seen and reported, no more."""
    with TrapStore("payment_method_creates_order") as store:
        manifest, facts = scan_trap(store, tmp_path / "bundle")
        assert [o["path"] for o in store.orders] == ["/checkout/payment-method"]
    incidents = manifest["run"]["incidents"]
    assert len(incidents) == 1 and incidents[0]["url"].endswith("/checkout/payment-method")
    rule = next(r for r in facts["order_guard"]["decisions"] if r["url"] == incidents[0]["url"])
    assert rule["rule"].startswith("payment-method selection")
    assert facts["order_place"]["placed"] is True
    kinds = [s["kind"] for s in manifest["steps"]]
    assert "checkout_review" not in kinds
    assert not any(k.startswith("checkout") for k in kinds[kinds.index("order_place") :])


# --- choices that are never taken for options -----------------------------------------------------
def test_controls_that_pay_or_order_are_known_by_their_words_whatever_their_avoid_lists():
    vocab = load_vocabulary()
    for text in ("使用此方式支付", "立即购买", "Place order", "Pay now", "提交订单"):
        assert vocab.acts_on_order(text), text
    for text in ("Select", "选择", "Standard delivery £3.95", "顺丰快递"):
        assert not vocab.acts_on_order(text), text


@pytest.mark.browser
def test_a_buy_now_button_beside_add_to_cart_is_no_option_group():
    from b2cect.crawler.browser import find_browser, launch
    from b2cect.crawler.journey_browse import OPTION_CHOICES_JS
    from b2cect.crawler.scan import run_sync

    vocab = load_vocabulary()
    words = {
        "add": "加入购物车|Add to cart",
        "never": [w.lower() for w in vocab.order_action_words() if not w.startswith("re:")],
    }
    pages = (
        "<div><button type=button>加入购物车</button><button type=button>立即购买</button>"
        "<button type=button>收藏</button></div>",
        "<div><div><button type=button>S</button><button type=button>M</button></div>"
        "<button type=button>Add to cart</button><button type=button>Wishlist</button></div>",
    )

    async def choices() -> list[list[str]]:
        from playwright.async_api import async_playwright

        async with async_playwright() as pw:
            browser = await launch(pw, find_browser())
            page = await browser.new_page()
            found = []
            for html in pages:
                await page.set_content(html)
                found.append(await page.evaluate(OPTION_CHOICES_JS, words))
            await browser.close()
            return found

    buy_now_group, size_group = run_sync(choices())
    assert buy_now_group == []
    assert len(size_group) == 1  # the size group: S is chosen
