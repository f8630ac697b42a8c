"""Hostile storefronts for fleet tests and the fleet benchmark: each serves one kind of
misbehaviour on its own loopback port. A fleet must end each in a clear per-step error or
verdict within its budget, and finish the other stores normally.

    with HostileStore("redirect_loop") as store:
        store.url

EXTRA_KINDS (a busy script; scripts that navigate to pages robots.txt disallows) are served
the same way but left out of the all-kinds fleet test.

Every endless thing here is still bounded (a hang lasts HANG_S, an endless download stops
after DOWNLOAD_MAX_S), so a test that fails cannot leave a thread behind for long.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from b2cect.demo.server import LoopbackServer
from flask import Flask, Response, redirect, request

HANG_S = 120
DOWNLOAD_MAX_S = 120
HUGE_PAGE_BYTES = 30 * 1024 * 1024

KINDS = (
    "never_loads",
    "redirect_loop",
    "server_errors",
    "dialogs",
    "popups",
    "navigates_away",
    "huge_page",
    "endless_download",
    "hostile_names",
)

# Kinds kept out of KINDS (and so out of the fleet's all-kinds test): a page script that keeps
# its renderer busy for ever, and page scripts that navigate to pages robots.txt disallows.
EXTRA_KINDS = ("busy_script", "script_navigates_private")

# Product names that are attacks on the report: script for the HTML, formulas for the sheet.
HOSTILE_NAMES = (
    '<script>document.title="pwned"</script>Tea 茶叶',
    '=HYPERLINK("http://evil.example/","click")',
    "+1+1 cell",
    "@SUM(A1:A9) 商品",
)


def _page(title: str, body: str, head: str = "") -> str:
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
        f"{head}</head><body>{body}</body></html>"
    )


SHOP_NAV = (
    '<nav><a href="/products">全部商品 All products</a> <a href="/cart">购物车 Cart</a> '
    '<a href="/about">关于我们 About</a></nav>'
)


def create_app(kind: str) -> Flask:
    if kind not in KINDS + EXTRA_KINDS:
        raise ValueError(f"unknown hostile store {kind!r}; choose one of {KINDS + EXTRA_KINDS}")
    app = Flask(f"hostile_{kind}")
    app.config["SEEN"] = []  # (path, User-Agent) of every request, for the tests

    @app.before_request
    def note():
        app.config["SEEN"].append((request.path, request.headers.get("User-Agent", "")))

    @app.route("/robots.txt")
    def robots():
        return Response("User-agent: *\nDisallow: /private/\n", mimetype="text/plain")

    # A page robots.txt forbids, linked as the shop's "About" page.
    nav = SHOP_NAV.replace('href="/about"', 'href="/private/about"')

    if kind == "never_loads":

        @app.route("/", defaults={"path": ""})
        @app.route("/<path:path>")
        def never(path):
            def body() -> Iterator[bytes]:
                yield b"<!doctype html><html><head><title>Loading"
                time.sleep(HANG_S)  # headers sent, the document never completes

            return Response(body(), mimetype="text/html")

    elif kind == "redirect_loop":

        @app.route("/", defaults={"path": ""})
        @app.route("/<path:path>")
        def loop(path):
            return redirect("/a" if request.path != "/a" else "/b", code=302)

    elif kind == "server_errors":

        @app.route("/", defaults={"path": ""})
        @app.route("/<path:path>")
        def boom(path):
            return Response(_page("Error", "<h1>500</h1>"), status=500, mimetype="text/html")

    elif kind == "dialogs":
        script = (
            "<script>alert('欢迎 welcome');"
            "window.addEventListener('beforeunload', e => { e.preventDefault();"
            " e.returnValue = 'stay?'; });"
            "document.addEventListener('click', () => { confirm('确定? Sure?'); }, true);"
            "</script>"
        )

        @app.route("/", defaults={"path": ""})
        @app.route("/<path:path>")
        def dialogs(path):
            return _page("对话框商店 Dialog Shop", SHOP_NAV + "<h1>商品</h1>" + script)

    elif kind == "popups":
        script = (
            "<script>window.open('/ad', '_blank', 'width=300');"
            "document.addEventListener('click', () => window.open('/ad?c=' + Math.random()));"
            "</script>"
        )

        @app.route("/", defaults={"path": ""})
        @app.route("/<path:path>")
        def popups(path):
            return _page("弹窗商店 Popup Shop", SHOP_NAV + "<h1>商品</h1>" + script)

    elif kind == "busy_script":

        @app.route("/", defaults={"path": ""})
        @app.route("/<path:path>")
        def busy(path):
            # Loaded first, then the page's one thread never comes back.
            script = "<script>setTimeout(() => { for (;;) {} }, 200)</script>"
            return _page("忙碌商店 Busy Shop", SHOP_NAV + "<h1>商品</h1>" + script)

    elif kind == "script_navigates_private":
        # Every way a page script leaves for a disallowed page: a location change, a new
        # window, a meta refresh (on /products) and a router doing a full load (on /cart).
        moves = {
            "/": "<script>setTimeout(() => location.href = '/private/moved', 100)</script>",
            "/about": "<script>window.open('/private/popup')</script>",
            "/cart": "<script>setTimeout(() => location.assign('/private/route'), 100)</script>",
        }

        @app.route("/", defaults={"path": ""})
        @app.route("/<path:path>")
        def moving(path):
            here = "/" + path
            head = ""
            if here == "/products":
                head = '<meta http-equiv="refresh" content="0; url=/private/refresh">'
            if here.startswith("/private/"):
                return _page("Private", "<h1>不应被打开 must not be opened</h1>")
            body = SHOP_NAV + "<h1>商品 Products</h1>" + moves.get(here, "")
            return _page("跳转商店 Script Shop", body, head)

    elif kind == "navigates_away":

        @app.route("/", defaults={"path": ""})
        @app.route("/<path:path>")
        def away(path):
            script = (
                "<script>setTimeout(() => location.href = '/moved-' + Date.now(), 300)</script>"
            )
            return _page("跳走 Moving Shop", SHOP_NAV + "<h1>Moving</h1>" + script)

    elif kind == "huge_page":
        filler = ("<p>" + "大" * 1000 + "</p>\n").encode()

        @app.route("/", defaults={"path": ""})
        @app.route("/<path:path>")
        def huge(path):
            def body() -> Iterator[bytes]:
                yield b'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
                yield b"<title>Huge Shop</title></head><body>" + SHOP_NAV.encode()
                sent = 0
                while sent < HUGE_PAGE_BYTES:
                    yield filler
                    sent += len(filler)
                yield b"</body></html>"

            return Response(body(), mimetype="text/html")

    elif kind == "endless_download":

        @app.route("/")
        def home():
            links = (
                '<a href="/catalogue.pdf" download>下载目录 Download catalogue</a> '
                '<a href="/terms.pdf">服务条款 Terms of service</a>'
            )
            return _page("下载商店 Download Shop", SHOP_NAV + links)

        @app.route("/<path:path>")
        def endless(path):
            def body() -> Iterator[bytes]:
                stop = time.monotonic() + DOWNLOAD_MAX_S
                while time.monotonic() < stop:
                    yield b"%PDF-1.4\n" + b"0" * 4096
                    time.sleep(0.05)

            return Response(
                body(),
                mimetype="application/octet-stream",
                headers={"Content-Disposition": f'attachment; filename="{path}"'},
            )

    elif kind == "hostile_names":
        items = "".join(
            f'<li class="product"><a href="/product/{i}">{name}</a> <span class="price">¥{9 + i}.00'
            "</span></li>"
            for i, name in enumerate(HOSTILE_NAMES, start=1)
        )

        @app.route("/")
        def home():
            return _page(HOSTILE_NAMES[0], nav + f"<ul>{items}</ul>")

        @app.route("/products")
        def products():
            return _page("全部商品", SHOP_NAV + f"<ul>{items}</ul>")

        @app.route("/product/<int:number>")
        def product(number):
            name = HOSTILE_NAMES[(number - 1) % len(HOSTILE_NAMES)]
            return _page(
                name,
                SHOP_NAV + f'<h1 class="product-title">{name}</h1><p class="price">¥10.00</p>'
                '<button type="button">加入购物车 Add to cart</button>',
            )

        @app.route("/<path:path>")
        def other(path):
            return _page("页面", SHOP_NAV + "<p>页面 Page</p>")

    return app


class HostileStore(LoopbackServer):
    """One hostile store on 127.0.0.1 and a free port; a context manager."""

    def __init__(self, kind: str):
        self.kind = kind
        super().__init__(create_app(kind), cookie=f"hostile_{kind}")

    @property
    def seen(self) -> list[tuple[str, str]]:
        """(path, User-Agent) of every request served so far."""
        return list(self.app.config["SEEN"])
