"""A tiny English shop, laid out like Django Oscar, for crawler tests that must not depend on
the Chinese demo store: multi-step checkout wizard, login+register on one page, order paging.

It is deliberately different from the demo store so the crawler's discovery is exercised on
a second, unknown layout.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta

from flask import Flask, Response, redirect, render_template_string, request, session
from werkzeug.serving import make_server

USER, PASSWORD = "shopper.one@example.org", "Corr3ct-Horse!"
PRODUCTS = {
    1: ("Blue Kettle", 25.0, 12),
    2: ("Garden Hose", 18.5, 0),
    3: ("Linen Apron", 9.0, 2),
    4: ("Tea Strainer", 4.5, 30),
}

BASE = """<!doctype html><html lang="en"><head><title>{{ title }} | Mini Shop</title>
<style>@media print { header, footer { display: none } }</style></head><body>
<header><a href="/">Mini Shop</a>
{% if session.get('user') %}<a href="/accounts/">Account</a> <a href="/accounts/logout/">Logout</a>
{% else %}<a href="/accounts/login/">Login or register</a>{% endif %}
<a href="/basket/">View basket</a>
<form action="/search/"><input type="search" name="q" placeholder="Search"></form></header>
<nav><a href="/catalogue/">All products</a></nav>
<main>{{ body|safe }}</main>
<footer><a href="/pages/help/">Help</a> <a href="/pages/privacy/">Privacy policy</a>
<a href="/pages/contact/">Contact us</a> <a href="/pages/terms/">Terms and conditions</a>
<a href="/pages/gone/">Old page</a> <p>Mail service@minishop.test</p></footer></body></html>"""


def create_app(captcha: bool = False) -> Flask:
    app = Flask(__name__)
    app.secret_key = "test-only"

    def page(title: str, body: str) -> str:
        return render_template_string(BASE, title=title, body=body, session=session)

    def card(pid: int) -> str:
        name, price, stock = PRODUCTS[pid]
        note = "Out of stock" if not stock else ""
        return (
            f'<article class="product_pod"><a href="/catalogue/item-{pid}_{pid}/">{name}</a>'
            f'<p class="price">£{price:.2f}</p>{note}</article>'
        )

    @app.route("/")
    def home() -> str:
        return page("Home", "<h1>Welcome</h1>" + "".join(card(p) for p in PRODUCTS))

    @app.route("/catalogue/")
    def listing() -> str:
        order = sorted(PRODUCTS, reverse=request.args.get("sort") == "price-desc")
        form = (
            '<form><select name="sort"><option value="">Relevancy</option>'
            '<option value="price-desc">Price high to low</option></select>'
            '<button type="submit">Sort</button></form>'
        )
        return page("All products", f"<h1>All products</h1>{form}" + "".join(map(card, order)))

    @app.route("/search/")
    def search() -> str:
        q = request.args.get("q", "").lower()
        hits = [p for p, v in PRODUCTS.items() if q and q in v[0].lower()]
        return page("Search", f"<h1>Results for {q}</h1>" + "".join(map(card, hits)))

    @app.route("/catalogue/item-<int:pid>_<int:pid2>/")
    def product(pid: int, pid2: int) -> str:
        name, price, stock = PRODUCTS[pid]
        avail = "InStock" if stock else "OutOfStock"
        ld = (
            f'<script type="application/ld+json">{{"@type":"Product","name":"{name}",'
            f'"offers":{{"price":"{price}","priceCurrency":"GBP",'
            f'"availability":"https://schema.org/{avail}"}}}}</script>'
        )
        buy = (
            f'<form method="post" action="/basket/add/{pid}/"><button type="submit">'
            f"Add to basket</button></form>"
            if stock
            else "<p>Unavailable</p>"
        )
        tabs = (
            "<details><summary>Details</summary><p>Made of steel</p></details>"
            '<div style="display:none" id="never">Secret internal note</div>'
        )
        level = f"In stock ({stock} available)" if stock else "Out of stock"
        return page(name, f"{ld}<h1>{name}</h1><p>£{price:.2f}</p><p>{level}</p>{buy}{tabs}")

    @app.post("/basket/add/<int:pid>/")
    def add(pid: int) -> Response:
        basket = session.setdefault("basket", {})
        basket[str(pid)] = basket.get(str(pid), 0) + 1
        session.modified = True
        return redirect("/basket/")

    @app.route("/basket/", methods=["GET", "POST"])
    def basket() -> str:
        items = session.setdefault("basket", {})
        if request.method == "POST":
            for pid in list(items):
                items[pid] = int(request.form.get(f"qty-{pid}", items[pid]))
            session.modified = True
        rows = "".join(
            f'<tr><td><a href="/catalogue/item-{p}_{p}/">{PRODUCTS[int(p)][0]}</a></td>'
            f'<td><input type="number" name="qty-{p}" value="{q}"></td>'
            f"<td>£{PRODUCTS[int(p)][1] * q:.2f}</td></tr>"
            for p, q in items.items()
        )
        total = sum(PRODUCTS[int(p)][1] * q for p, q in items.items())
        return page(
            "Basket",
            f'<h1>Basket</h1><form method="post"><table>{rows}</table>'
            f'<button type="submit">Update basket</button></form>'
            f'<p>Basket total £{total:.2f}</p><a href="/checkout/">Proceed to checkout</a>',
        )

    @app.route("/accounts/login/", methods=["GET", "POST"])
    def login() -> Response | str:
        error = ""
        if request.method == "POST":
            if (
                request.form.get("login-username") == USER
                and request.form.get("login-password") == PASSWORD
            ):
                session["user"] = USER
                return redirect("/accounts/")
            error = '<p class="error">Please enter a correct username and password.</p>'
        captcha_field = (
            '<label for="cap">Verification code</label><input id="cap" name="captcha">'
            '<img alt="captcha" src="data:,">'
            if captcha
            else ""
        )
        return page(
            "Login",
            f"""{error}<h2>Log in</h2><form method="post">
          <label for="u">Email address</label><input id="u" name="login-username" type="text">
          <label for="p">Password</label><input id="p" name="login-password" type="password">
          {captcha_field}
          <button type="submit" name="login_submit">Log In</button></form>
          <a href="/accounts/password-reset/">Forgotten your password?</a>
          <h2>Register</h2><form method="post" action="/accounts/register/">
          <input name="registration-email" type="email" aria-label="Email">
          <input name="registration-password1" type="password" aria-label="Password">
          <p>Your password must contain at least 9 characters.</p>
          <input name="registration-password2" type="password" aria-label="Confirm password">
          <label><input type="checkbox" name="news" checked> Send me offers by e-mail</label>
          <button type="submit" name="registration_submit">Register</button></form>""",
        )

    @app.route("/accounts/logout/")
    def logout() -> Response:
        session.pop("user", None)
        return redirect("/")

    @app.route("/accounts/password-reset/")
    def reset() -> str:
        return page(
            "Reset",
            '<h1>Forgotten your password?</h1><form><input type="email" '
            'name="email"> Enter your e-mail address<button>Send reset email</button></form>',
        )

    def need_login() -> Response | None:
        return None if session.get("user") else redirect("/accounts/login/")

    @app.route("/accounts/")
    def account() -> Response | str:
        return need_login() or page(
            "Account",
            """<h1>Profile</h1><ul>
          <li><a href="/accounts/profile/">Profile</a></li>
          <li><a href="/accounts/orders/">Order history</a></li>
          <li><a href="/accounts/addresses/">Address book</a></li>
          <li><a href="/accounts/wishlists/">Wish List</a></li></ul>""",
        )

    @app.route("/accounts/profile/")
    def profile() -> Response | str:
        return need_login() or page(
            "Profile",
            f"""<h1>Profile</h1><table>
          <tr><th>Name</th><td>Ada Shopper</td></tr><tr><th>Email address</th><td>{USER}</td></tr>
          </table><a href="/accounts/profile/edit/">Edit profile</a>""",
        )

    @app.route("/accounts/addresses/")
    def addresses() -> Response | str:
        return need_login() or page(
            "Addresses",
            "<h1>Address book</h1><p>1 Test Road</p>"
            "<a href='/accounts/addresses/add/'>Add a new address</a>",
        )

    @app.route("/accounts/wishlists/")
    def wishlists() -> Response | str:
        return need_login() or page("Wish lists", "<h1>Wish Lists</h1>")

    def order_list() -> list[tuple[str, date, str]]:
        today = date(2026, 6, 1)
        return [(f"1000{n:02d}", today - timedelta(days=70 * n), "Complete") for n in range(14)]

    @app.route("/accounts/orders/")
    def orders() -> Response | str:
        if (r := need_login()) is not None:
            return r
        pno = int(request.args.get("page", 1))
        chunk = order_list()[(pno - 1) * 5 : pno * 5]
        rows = "".join(
            f'<tr><td><a href="/accounts/orders/{num}/">{num}</a></td>'
            f"<td>{d.strftime('%B %d, %Y')}</td><td>{s}</td><td>£10.00</td></tr>"
            for num, d, s in chunk
        )
        nxt = f'<a href="?page={pno + 1}">next</a>' if pno * 5 < len(order_list()) else ""
        return page(
            "Order history",
            f"<h1>Order History</h1><table><tbody>{rows}</tbody></table>"
            f"{nxt} <a href='/accounts/orders/export.csv'>Download CSV</a>",
        )

    @app.route("/accounts/orders/export.csv")
    def export() -> Response:
        lines = ["number,placed,email"] + [
            f"{n},{d.isoformat()},{USER}" for n, d, _ in order_list()
        ]
        return Response(
            "\n".join(lines),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=orders.csv"},
        )

    @app.route("/accounts/orders/<num>/")
    def order(num: str) -> Response | str:
        return need_login() or page(
            f"Order {num}",
            f"<h1>Order #{num}</h1><p>Status Complete</p>"
            "<button onclick='window.print()'>Print</button>",
        )

    @app.route("/checkout/")
    def checkout_index() -> Response:
        # As Oscar does: the wizard's first step has a URL of its own.
        return need_login() or redirect("/checkout/shipping-address/")

    @app.route("/checkout/shipping-address/", methods=["GET", "POST"])
    def checkout() -> Response | str:
        if (r := need_login()) is not None:
            return r
        if request.method == "POST" and request.form.get("phone_number", "").startswith("+"):
            return redirect("/checkout/shipping-method/")
        err = (
            '<p class="errorlist">Enter a valid phone number</p>'
            if request.method == "POST"
            else ""
        )
        return page(
            "Shipping address",
            f"""<h1>Shipping address</h1>{err}<form method="post">
          <label for="f">First name</label><input id="f" name="first_name" required>
          <label for="l">Last name</label><input id="l" name="last_name" required>
          <label for="a">First line of address</label><input id="a" name="line1" required>
          <label for="c">Country</label><select id="c" name="country">
            <option value="GB" selected>United Kingdom</option></select>
          <label for="pc">Post/Zip-code</label><input id="pc" name="postcode">
          <label for="ph">Phone number</label>
          <input id="ph" name="phone_number" type="tel" required>
          <label for="n">Instructions</label><textarea id="n" name="notes"></textarea>
          <button type="submit">Continue</button></form>""",
        )

    @app.route("/checkout/shipping-method/", methods=["GET", "POST"])
    def method() -> Response | str:
        if request.method == "POST":
            return redirect("/checkout/preview/")
        return page(
            "Shipping method",
            """<h1>Shipping method</h1><form method="post">
          <fieldset><legend>Shipping method</legend>
          <label><input type="radio" name="method_code" value="std"> Standard £0.00</label>
          <label><input type="radio" name="method_code" value="exp"> Express £5.00</label>
          </fieldset><button type="submit">Continue</button></form>""",
        )

    @app.route("/checkout/preview/")
    def preview() -> str:
        return page(
            "Preview",
            '<h1>Preview order</h1><form method="post" action="/checkout/place/">'
            '<button type="submit">Place order</button></form>',
        )

    @app.post("/checkout/place/")
    def place() -> str:
        session["basket"] = {}
        return page(
            "Thank you", "<h1>Order confirmation</h1><p>Thank you. Your order number is 100099.</p>"
        )

    @app.route("/pages/<name>/")
    def info(name: str) -> tuple[str, int] | str:
        if name == "gone":
            return page("Not found", "<h1>Page not found</h1>"), 404
        return page(name.title(), f"<h1>{name.title()}</h1><p>About {name}.</p>")

    return app


class MiniShop:
    def __init__(self, captcha: bool = False) -> None:
        self.server = make_server("127.0.0.1", 0, create_app(captcha), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> MiniShop:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- tests: a second, English, wizard-style shop the crawler has never seen -------------------

import pytest  # noqa: E402
from b2cect.crawler.bundle import Bundle  # noqa: E402
from b2cect.crawler.scan import ScanOptions, scan_sync  # noqa: E402


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> Bundle:
    seen: list[str] = []
    with MiniShop() as shop:
        path = scan_sync(
            ScanOptions(
                url=shop.url,
                out=tmp_path_factory.mktemp("mini"),
                credentials=(USER, PASSWORD),
                max_products=4,
                progress=lambda step: seen.append(step.id),
            )
        )
    bundle = Bundle(path)
    bundle.progress_seen = seen  # type: ignore[attr-defined]
    return bundle


@pytest.mark.browser
def test_mini_journey_on_an_unknown_english_shop(mini):
    for kind in (
        "home",
        "listing",
        "search",
        "product",
        "cart",
        "login",
        "register",
        "password_reset",
        "account",
        "profile",
        "addresses",
        "favourites",
        "checkout",
        "checkout_review",
        "orders",
        "order_detail",
        "order_print",
        "orders_print",
        "help",
        "privacy",
        "terms",
        "contact",
    ):
        assert mini.reached(kind), (kind, mini.why_not_reached(kind))
    # The three-page checkout wizard was walked to the review page, through "Continue".
    assert len(mini.pages("checkout")) == 3
    assert mini.fact("checkout_options")["delivery"][1]["price_text"] == "£5.00"
    assert mini.progress_seen == [s.id for s in mini.steps]


@pytest.mark.browser
def test_mini_never_orders_on_a_real_store(mini):
    step = mini.steps_of("order_place")[0]
    assert step.status == "skipped" and step.error == "not a test store: order not placed"
    assert mini.fact("order_place")["attempted"] is False
    assert not mini.steps_of("payment") and not mini.steps_of("order_confirmation")
    assert mini.fact("return_request")["status"] == "skipped"


@pytest.mark.browser
def test_mini_history_paging_export_and_redaction(mini):
    history = mini.fact("order_history")
    assert history["count"] == 14 and history["pages_walked"] >= 3
    assert (history["earliest"], history["latest"]) == ("2023-12-04", "2026-06-01")
    export = mini.fact("order_export")["files"][0]
    assert export["rows"] == 14 and export["format"] == "csv"
    assert USER not in (mini.root / export["path"]).read_text(encoding="utf-8")
    for path in mini.root.rglob("*"):
        if path.is_file():
            assert (
                USER.encode() not in path.read_bytes()
                and PASSWORD.encode() not in path.read_bytes()
            ), path
            assert b"Ada Shopper" not in path.read_bytes(), path  # name from the profile page


@pytest.mark.browser
def test_mini_snapshot_marks(mini):
    product = mini.page("product").html
    assert '<div style="display:none" id="never" data-b2cect-hidden="1">' in product
    assert "<details open" in product  # opened like a customer would: its text counts
    register = mini.page("register").html
    assert 'name="news" checked="" data-b2cect-default-checked="1"' in register
    assert mini.fact("registration")["consent_boxes"][0]["default_checked"] is True
    # The validation probe typed a bad phone; the saved checkout shows the fake data typed after.
    assert mini.fact("checkout_validation")["still_on_form"] is True


@pytest.mark.browser
def test_mini_broken_footer_link_fails_one_step_only(mini):
    info = [s for s in mini.steps_of("info") if s.status == "failed"]
    assert info and "HTTP 404" in info[0].error and info[0].screenshot
    assert mini.fact("links")["broken"][0]["status"] == 404
    assert mini.verify() == []


@pytest.mark.browser
def test_login_wall_is_left_to_a_human(tmp_path):
    """A captcha on the login form: login needs_human with a screenshot, account steps skip.

    The profile skips most of the journey (and so tests `skip:` pins too).
    """
    profile = tmp_path / "profile.yaml"
    skipped = [
        "listing",
        "search",
        "links",
        "cart",
        "checkout",
        "help",
        "privacy",
        "terms",
        "contact",
        "about",
        "licence",
        "complaint",
        "notices",
        "after_sales",
        "payment_help",
        "delivery_help",
        "language_switch",
    ]
    profile.write_text(
        "steps:\n" + "".join(f"  {k}: {{skip: true}}\n" for k in skipped), encoding="utf-8"
    )
    with MiniShop(captcha=True) as shop:
        bundle = Bundle(
            scan_sync(
                ScanOptions(
                    url=shop.url,
                    out=tmp_path / "b",
                    profile=profile,
                    credentials=(USER, PASSWORD),
                    max_products=1,
                )
            )
        )
    sign_in = bundle.steps_of("sign_in")[0]
    assert sign_in.status == "blocked" and sign_in.error == "login needs a human: captcha"
    assert sign_in.screenshot and (bundle.root / sign_in.screenshot).is_file()
    assert bundle.fact("login")["status"] == "needs_human"
    assert bundle.steps_of("orders")[0].status == "skipped"
    assert bundle.steps_of("help")[0].error == "skipped by the site profile"
    assert bundle.reached("login") and bundle.reached("product")
    assert bundle.verify() == []
