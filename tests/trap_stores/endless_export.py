"""A shop whose order-history export never ends: a chunked CSV with no Content-Length that
streams for as long as the client reads it. `sent` counts the bytes it has sent so far.

Run as a module to serve it by hand: python -m tests.trap_stores.endless_export
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from b2cect.demo.server import LoopbackServer
from flask import Flask, Response, redirect, render_template_string, request, session

USER, PASSWORD = "buyer@endless.test", "Export-Forever-1"
CHUNK = b"2026-01-05,EX-1001,Linen towel,39.00,Delivered\n" * 1300  # ~64 KB

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }} - Loom & Co</title></head>
<body><header><a href="/">Loom &amp; Co</a>
{% if session.get('user') %}<a href="/account">My account</a> <a href="/logout">Log out</a>
{% else %}<a href="/login">Sign in</a>{% endif %} <a href="/cart">Cart</a></header>
<main>{{ body|safe }}</main>
<footer><a href="/help">Help</a> <a href="/privacy">Privacy policy</a>
<p>Customer service: care@loom.test</p></footer></body></html>"""


def create_app() -> Flask:
    app = Flask(__name__)
    app.secret_key = "endless-export"
    app.config["SENT"] = 0

    def page(title: str, body: str) -> str:
        return render_template_string(PAGE, title=title, body=body, session=session)

    @app.route("/")
    def home() -> str:
        return page(
            "Home", "<h1>Towels and linen</h1><p><a href='/product/1'>Linen towel</a> ¥39.00</p>"
        )

    @app.route("/product/1")
    def product() -> str:
        return page("Linen towel", "<h1>Linen towel</h1><p>¥39.00</p><p>In stock</p>")

    @app.route("/login", methods=["GET", "POST"])
    def login() -> str | Response:
        if request.method == "POST":
            if request.form.get("email") == USER and request.form.get("password") == PASSWORD:
                session["user"] = USER
                return redirect("/account")
            return page("Sign in", "<p class='error'>Wrong e-mail or password</p>")
        return page(
            "Sign in",
            "<h1>Sign in</h1><form method='post'><label>E-mail <input name='email' type='email'>"
            "</label><label>Password <input name='password' type='password'></label>"
            "<button type='submit'>Sign in</button></form>",
        )

    @app.route("/account")
    def account() -> str | Response:
        if not session.get("user"):
            return redirect("/login")
        return page("My account", "<h1>My account</h1><p><a href='/orders'>My orders</a></p>")

    @app.route("/orders")
    def orders() -> str | Response:
        if not session.get("user"):
            return redirect("/login")
        rows = (
            "<tr><td>EX-1001</td><td>2026-01-05</td><td>¥39.00</td><td>Delivered</td></tr>"
            "<tr><td>EX-0950</td><td>2025-03-12</td><td>¥78.00</td><td>Delivered</td></tr>"
        )
        return page(
            "My orders",
            "<h1>My orders</h1><table><tr><th>Order</th><th>Date</th><th>Total</th>"
            f"<th>Status</th></tr>{rows}</table>"
            "<p><a href='/orders/export.csv'>Export orders (CSV)</a></p>",
        )

    @app.route("/orders/export.csv")
    def export() -> Response:
        def forever() -> Iterator[bytes]:
            yield b"date,order,item,total,status\n"
            while True:
                app.config["SENT"] += len(CHUNK)
                yield CHUNK
                time.sleep(0.001)  # at most ~60 MB/s: a very fast line, still endless

        return Response(
            forever(),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=orders.csv"},
        )

    @app.route("/orders/export-slow")
    def export_slow() -> Response:
        """A trickle that never ends: the time cap, not the byte cap, must stop it."""

        def trickle() -> Iterator[bytes]:
            while True:
                app.config["SENT"] += 1024
                yield b"x" * 1024
                time.sleep(0.05)

        return Response(
            trickle(),
            mimetype="application/vnd.ms-excel",
            headers={"Content-Disposition": "attachment; filename=orders.xls"},
        )

    @app.route("/orders/print-export")
    def button_page() -> str:
        return page(
            "Export",
            "<h1>Export</h1><button id='xls' onclick=\"location.href='/orders/export-slow'\">"
            "Download Excel</button>",
        )

    @app.route("/help")
    def help_page() -> str:
        return page("Help", "<h1>Help</h1><p>Returns within 7 days. Invoices on request.</p>")

    @app.route("/privacy")
    def privacy() -> str:
        return page("Privacy policy", "<h1>Privacy policy</h1><p>We keep your data safe.</p>")

    return app


class EndlessExportStore(LoopbackServer):
    def __init__(self) -> None:
        super().__init__(create_app(), cookie="endless")

    @property
    def sent(self) -> int:
        return int(self.app.config["SENT"])


if __name__ == "__main__":  # pragma: no cover
    with EndlessExportStore() as store:
        print(store.url)
        store.wait()
