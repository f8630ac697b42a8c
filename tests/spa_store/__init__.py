"""A single-page storefront for crawler tests (index.html + app.js, served on loopback).

The app routes on the client (history.pushState), fetches its products from /api after the
page has loaded (the server answers after a delay), loads product pictures lazily and shows a
cookie banner and a newsletter modal on the first visit. `deep_links=False` serves the app only
at "/" (every other page path answers 404), as some static hosts do.

    with SpaStore() as store:
        print(store.url)
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).parent
API_DELAY_S = 0.5  # the product list arrives well after the load event
PRODUCTS = json.loads((HERE / "products.json").read_text(encoding="utf-8"))
IMAGE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200">'
    '<rect width="200" height="200" fill="#c8a27a"/></svg>'
)


class SpaStore:
    def __init__(self, deep_links: bool = True):
        self.deep_links = deep_links
        self.requests: list[str] = []  # paths asked for, in order (for tests)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def __enter__(self) -> SpaStore:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        store = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet test output
                pass

            def do_GET(self) -> None:  # noqa: N802 - the http.server name
                path = self.path.split("?")[0]
                store.requests.append(path)
                if path == "/app.js":
                    self._send(200, "application/javascript", (HERE / "app.js").read_bytes())
                elif path == "/api/products":
                    time.sleep(API_DELAY_S)
                    self._send(200, "application/json", json.dumps(PRODUCTS).encode())
                elif path.startswith("/api/products/"):
                    time.sleep(API_DELAY_S / 2)
                    pid = path.rsplit("/", 1)[-1]
                    found = [p for p in PRODUCTS if str(p["id"]) == pid]
                    body = json.dumps(found[0] if found else {}).encode()
                    self._send(200 if found else 404, "application/json", body)
                elif path.startswith("/img/"):
                    self._send(200, "image/svg+xml", IMAGE.encode())
                elif path == "/" or (store.deep_links and "." not in path):
                    # History fallback: every app route gets the app.
                    self._send(200, "text/html; charset=utf-8", (HERE / "index.html").read_bytes())
                else:
                    self._send(404, "text/html; charset=utf-8", b"<h1>404 Not Found</h1>")

            def _send(self, status: int, ctype: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
