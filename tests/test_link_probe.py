"""The home page's link check judges a link by what a customer's browser gets (GET), also on
servers that route GET only and answer HEAD with 404 (Express apps such as EverShop)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

from b2cect.crawler.journey_browse import _probe_link
from b2cect.crawler.scan import run_sync
from playwright.async_api import async_playwright


class _GetOnly(BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:  # noqa: N802 - the http.server naming
        self.send_response(404 if self.path != "/head-ok" else 200)
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(404 if self.path == "/gone" else 200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


def test_head_404_is_checked_again_with_get_and_real_404_stays_broken():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GetOnly)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    async def run() -> list[int]:
        async with async_playwright() as p:
            client = await p.request.new_context()
            c = SimpleNamespace(link_client=client, throttle=None)
            try:
                paths = ("/page", "/head-ok", "/gone")
                return [(await _probe_link(c, base + path))[0] for path in paths]
            finally:
                await client.dispose()

    try:
        assert run_sync(run()) == [200, 200, 404]
    finally:
        server.shutdown()
