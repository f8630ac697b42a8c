"""Trap stores: small shops whose checkout creates an order where a careless crawler would not
expect it. None of them is a test store, so a scan must never create an order on any of them.

Each shop is an ordinary little store (home with products, product pages, a cart, help and
privacy pages) whose checkout is one of these traps:

- `continue_post`: a one-page checkout whose "Continue" posts the form to /order;
- `next_pending`: "下一步" posts to a neutral URL (/checkout/step2) that creates a pending order
  before the payment page;
- `xhr_json`: "Continue" sends the order as JSON by fetch() to /api/checkout;
- `get_link`: the cart and the footer link to /order/create?..., and the checkout's "Continue"
  to /checkout/next?action=confirm: GETs that place the order;
- `review_confirm`: an address step, then a review page whose button reads "Confirm";
- `icon_submit`: a form whose submit button is an icon with no text, posting to /checkout;
- `address_creates_order`: the address step itself (a form the guard lets through) creates the
  order and shows its number: the scan must stop there and say so;
- `payment_method_creates_order`: after the address step, a payment-method step (radios "Bank
  transfer" / "Cash on delivery", "Continue") whose form, a bare method choice the guard lets
  through, creates the order: the scan must stop there and say so.

`TrapStore(kind)` serves one on a free loopback port; `orders` lists the orders it created.
"""

from __future__ import annotations

import itertools

from b2cect.demo.server import LoopbackServer
from flask import Flask, Response, jsonify, redirect, render_template_string, request, session

TRAPS = (
    "continue_post",
    "next_pending",
    "xhr_json",
    "get_link",
    "review_confirm",
    "icon_submit",
)
DETECTED_TRAPS = ("address_creates_order", "payment_method_creates_order")
# Not a checkout trap: a shop that greets with an alert and a pop-up window and asks confirm()
# before adding to the cart (its checkout is continue_post's).
DIALOGS = "dialogs"
ZH_TRAPS = {"next_pending", "icon_submit", "address_creates_order"}

PRODUCTS = {
    1: ("Enamel Teapot", "搪瓷茶壶", 89.0),
    2: ("Bamboo Tray", "竹制托盘", 45.0),
    3: ("Cotton Napkins", "棉质餐巾", 29.0),
}

BASE = """<!doctype html><html lang="{{ lang }}"><head><meta charset="utf-8">
<title>{{ title }} - {{ shop }}</title>
<style>
 body { font-family: sans-serif; margin: 0; } header, footer { background: #f4f1ea; padding: 12px 24px; }
 header a, footer a { margin-right: 16px; } main { padding: 24px; max-width: 880px; }
 .grid { display: grid; grid-template-columns: repeat(3, 1fr); gap: 16px; }
 .card { border: 1px solid #ddd; padding: 12px; } .price { color: #b22; font-weight: bold; }
 label { display: block; margin: 8px 0; } button { padding: 8px 16px; }
</style></head><body>
<header><a href="/" class="logo">{{ shop }}</a>
<a href="/products">{{ t('All products', '全部商品') }}</a>
<a href="/cart">{{ t('Cart', '购物车') }}</a></header>
<main>{{ body|safe }}</main>
<footer><a href="/help">{{ t('Help', '帮助中心') }}</a>
<a href="/privacy">{{ t('Privacy policy', '隐私政策') }}</a>
<a href="/returns">{{ t('Returns', '退换货政策') }}</a>
{% if kind == 'get_link' %}<a href="/order/create?sku=1&amp;qty=1">{{ t('Quick order', '快速下单') }}</a>{% endif %}
<p>{{ t('Customer service: service@trap-shop.test, 400-800-1234',
        '客服邮箱 service@trap-shop.test，客服电话 400-800-1234') }}</p></footer>
</body></html>"""

ADDRESS_FIELDS = """
<label>{{ t('Full name', '收货人') }} <input name="name" required></label>
<label>{{ t('Mobile', '手机号码') }} <input name="mobile" type="tel" required></label>
<label>{{ t('Address', '详细地址') }} <input name="address" required></label>
<label>{{ t('Order notes', '备注') }} <textarea name="notes"></textarea></label>
"""

CONFIRMED_EN = "<h1>Thank you, your order has been placed</h1><p>Order number: {ref}</p>"
CONFIRMED_ZH = "<h1>下单成功</h1><p>订单号：{ref}，请在30分钟内完成支付。</p>"


def create_app(kind: str) -> Flask:
    if kind not in (*TRAPS, *DETECTED_TRAPS, DIALOGS):
        raise ValueError(f"unknown trap {kind!r}")
    app = Flask(__name__)
    app.secret_key = f"trap-{kind}"
    orders: list[dict[str, str]] = []
    app.config["ORDERS"] = orders
    numbers = itertools.count(20261207001)
    zh = kind in ZH_TRAPS

    def t(en: str, cn: str) -> str:
        return cn if zh else en

    def page(title: str, body: str) -> str:
        shop = t("Hearth & Table", "暖桌家居")
        inner = render_template_string(body, t=t, kind=kind)
        return render_template_string(
            BASE, title=title, shop=shop, body=inner, t=t, kind=kind, lang="zh-CN" if zh else "en"
        )

    def create_order(how: str) -> str:
        ref = str(next(numbers))
        orders.append({"ref": ref, "how": how, "method": request.method, "path": request.path})
        return ref

    def confirmed(ref: str) -> str:
        return page(
            t("Order placed", "下单成功"), (CONFIRMED_ZH if zh else CONFIRMED_EN).format(ref=ref)
        )

    def name(pid: int) -> str:
        return PRODUCTS[pid][1] if zh else PRODUCTS[pid][0]

    def card(pid: int) -> str:
        price = PRODUCTS[pid][2]
        return (
            f'<div class="card"><a href="/product/{pid}">{name(pid)}</a>'
            f'<p class="price">¥{price:.2f}</p></div>'
        )

    @app.route("/")
    def home() -> str:
        body = f"<h1>{t('New this week', '本周新品')}</h1><div class='grid'>"
        if kind == DIALOGS:
            body = (
                "<script>alert('Welcome! 10% off your first order');"
                " window.open('/promo', '_blank');</script>" + body
            )
        return page(t("Home", "首页"), body + "".join(card(p) for p in PRODUCTS) + "</div>")

    @app.route("/promo")
    def promo() -> str:
        return page("Promotion", "<h1>Spring sale</h1>")

    @app.route("/products")
    def listing() -> str:
        body = f"<h1>{t('All products', '全部商品')}</h1><div class='grid'>"
        return page(
            t("All products", "全部商品"), body + "".join(card(p) for p in PRODUCTS) + "</div>"
        )

    @app.route("/product/<int:pid>")
    def product(pid: int) -> str:
        price = PRODUCTS[pid][2]
        body = (
            f"<h1>{name(pid)}</h1><p class='price'>¥{price:.2f}</p>"
            f"<p>{t('In stock. Ships within 48 hours.', '有货，48小时内发货。')}</p>"
            f"<form method='post' action='/cart/add'><input type='hidden' name='pid' value='{pid}'>"
            f"<label>{t('Quantity', '数量')} <input name='qty' type='number' value='1'></label>"
            f"<button type='submit'>{t('Add to cart', '加入购物车')}</button></form>"
        )
        if kind == DIALOGS:
            body = body.replace(
                "<form method='post'",
                "<form onsubmit=\"return confirm('Add this item to your cart?')\" method='post'",
            )
        return page(name(pid), body)

    @app.post("/cart/add")
    def cart_add() -> Response:
        cart = session.get("cart", {})
        pid = request.form.get("pid", "1")
        cart[pid] = cart.get(pid, 0) + int(request.form.get("qty") or 1)
        session["cart"] = cart
        return redirect("/cart")

    @app.route("/cart")
    def cart() -> str:
        cart = session.get("cart", {})
        if not cart:
            return page(
                t("Cart", "购物车"),
                f"<h1>{t('Cart', '购物车')}</h1><p>{t('Your cart is empty.', '购物车是空的。')}</p>",
            )
        rows = "".join(
            f"<tr class='cart-item'><td><a href='/product/{p}'>{name(int(p))}</a></td>"
            f"<td><input name='qty-{p}' type='number' value='{q}' min='1'></td>"
            f"<td>¥{PRODUCTS[int(p)][2] * q:.2f}</td></tr>"
            for p, q in cart.items()
        )
        total = sum(PRODUCTS[int(p)][2] * q for p, q in cart.items())
        extra = (
            "<p><a href='/order/create?from=cart'>{{ t('Order now', '立即下单') }}</a></p>"
            if kind == "get_link"
            else ""
        )
        body = (
            f"<h1>{t('Cart', '购物车')}</h1><table>{rows}</table>"
            f"<p>{t('Total', '合计')}: ¥{total:.2f}</p>"
            f"<p><a href='/checkout'>{t('Proceed to checkout', '去结算')}</a></p>{extra}"
        )
        return page(t("Cart", "购物车"), body)

    # --- the traps ----------------------------------------------------------------------------
    @app.route("/checkout", methods=["GET", "POST"])
    def checkout() -> str | Response:
        if kind == "icon_submit" and request.method == "POST":
            return confirmed(create_order("icon-only submit posted to /checkout"))
        if request.method == "POST":
            return page("Checkout", "<p>Method not allowed</p>"), 405  # type: ignore[return-value]
        total = "<p>{{ t('Total', '合计') }}: ¥89.00 ({{ t('delivery free', '免运费') }})</p>"
        forms = {
            DIALOGS: (
                "<form method='post' action='/order'>"
                + ADDRESS_FIELDS
                + total
                + "<button type='submit'>Continue</button></form>"
            ),
            "continue_post": (
                "<form method='post' action='/order'>"
                + ADDRESS_FIELDS
                + total
                + "<button type='submit'>Continue</button></form>"
            ),
            "next_pending": (
                "<form method='post' action='/checkout/step2'>"
                + ADDRESS_FIELDS
                + total
                + "<button type='submit'>下一步</button></form>"
            ),
            "xhr_json": (
                "<form id='co'>"
                + ADDRESS_FIELDS
                + total
                + "<button type='submit'>Continue</button></form><script>"
                "document.getElementById('co').addEventListener('submit', async (e) => {"
                " e.preventDefault(); const data = Object.fromEntries(new FormData(e.target));"
                " const r = await fetch('/api/checkout', {method: 'POST',"
                " headers: {'Content-Type': 'application/json'}, body: JSON.stringify(data)});"
                " const j = await r.json(); location.href = '/thanks?ref=' + j.orderId; });"
                "</script>"
            ),
            "get_link": (
                "<form>" + ADDRESS_FIELDS + total + "</form>"
                "<p><a href='/checkout/next?action=confirm'>Continue</a></p>"
            ),
            "review_confirm": (
                "<form method='post' action='/checkout/address'>"
                + ADDRESS_FIELDS
                + "<button type='submit'>Continue</button></form>"
            ),
            "icon_submit": (
                "<form method='post' action='/checkout'>"
                + ADDRESS_FIELDS
                + total
                + "<button type='submit' class='btn-go' aria-describedby='hint'>"
                "<svg width='20' height='20' viewBox='0 0 20 20'><path d='M4 10h12M11 5l5 5-5 5'"
                " stroke='#fff' fill='none'/></svg></button><span id='hint' hidden>go</span></form>"
            ),
            "address_creates_order": (
                "<form method='post' action='/checkout/address'>"
                + ADDRESS_FIELDS
                + "<button type='submit'>下一步</button></form>"
            ),
            "payment_method_creates_order": (
                "<form method='post' action='/checkout/address'>"
                + ADDRESS_FIELDS
                + "<button type='submit'>Continue</button></form>"
            ),
        }
        return page(t("Checkout", "结算"), f"<h1>{t('Checkout', '填写订单')}</h1>" + forms[kind])

    @app.post("/order")
    def order_post() -> str:
        return confirmed(create_order("Continue posted the form to /order"))

    @app.post("/checkout/step2")
    def step2() -> Response:
        ref = create_order("下一步 created a pending order")
        return redirect(f"/pay?order={ref}")

    @app.route("/pay")
    def pay() -> str:
        return page("支付", f"<h1>收银台</h1><p>订单号：{request.args.get('order', '')}</p>")

    @app.post("/api/checkout")
    def api_checkout() -> Response:
        return jsonify({"ok": True, "orderId": create_order("JSON place-order call")})

    @app.route("/thanks")
    def thanks() -> str:
        return confirmed(request.args.get("ref", ""))

    @app.route("/checkout/next")
    def checkout_next() -> str:
        return confirmed(create_order("GET link from the checkout placed the order"))

    @app.route("/order/create")
    def order_create() -> str:
        return confirmed(create_order("GET link placed the order"))

    @app.post("/checkout/address")
    def address() -> str | Response:
        if kind == "address_creates_order":
            return confirmed(create_order("the address step created the order"))
        session["address"] = dict(request.form)
        if kind == "payment_method_creates_order":
            return redirect("/checkout/payment-method")
        return redirect("/checkout/review")

    @app.route("/checkout/payment-method", methods=["GET", "POST"])
    def payment_method() -> str:
        if request.method == "POST":
            return confirmed(create_order("choosing the payment method created the order"))
        body = (
            "<h1>Payment method</h1><form method='post' action='/checkout/payment-method'>"
            "<fieldset><legend>How would you like to pay?</legend>"
            "<label><input type='radio' name='payment_method' value='bank-transfer'>"
            " Bank transfer</label><label><input type='radio' name='payment_method'"
            " value='cash-on-delivery'> Cash on delivery</label></fieldset>"
            "<button type='submit'>Continue</button></form>"
        )
        return page("Payment method", body)

    @app.route("/checkout/review", methods=["GET", "POST"])
    def review() -> str:
        if request.method == "POST":
            return confirmed(create_order("Confirm on the review page"))
        body = (
            "<h1>Review your order</h1><p>Enamel Teapot x 1: ¥89.00</p><p>Delivery: free</p>"
            "<p>Total: ¥89.00</p><form method='post' action='/checkout/review'>"
            "<button type='submit'>Confirm</button></form>"
        )
        return page("Review", body)

    # --- information pages --------------------------------------------------------------------
    @app.route("/help")
    def help_page() -> str:
        text = t(
            "We accept bank cards and Alipay. Invoices are issued on request. Returns within 7 days.",
            "支持银行卡和支付宝付款。可开具电子发票。七天无理由退货。",
        )
        return page(t("Help", "帮助中心"), f"<h1>{t('Help', '帮助中心')}</h1><p>{text}</p>")

    @app.route("/privacy")
    def privacy() -> str:
        text = t("We keep your data safe and never sell it.", "我们保护您的个人信息，不会出售。")
        return page(
            t("Privacy policy", "隐私政策"),
            f"<h1>{t('Privacy policy', '隐私政策')}</h1><p>{text}</p>",
        )

    @app.route("/returns")
    def returns() -> str:
        text = t("Unused goods can be returned within 7 days.", "未使用商品七天内可退换。")
        return page(
            t("Returns", "退换货政策"), f"<h1>{t('Returns', '退换货政策')}</h1><p>{text}</p>"
        )

    return app


class TrapStore(LoopbackServer):
    """One trap shop on 127.0.0.1 in a background thread; a context manager."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__(create_app(kind), cookie=f"trap_{kind}")

    @property
    def orders(self) -> list[dict[str, str]]:
        return self.app.config["ORDERS"]
