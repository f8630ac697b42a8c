"""Build and serve a throwaway EverShop 2.2 store on loopback, for crawler tests.

EverShop (npm `@evershop/evershop`) is a Node/React storefront rendered on the server and
hydrated in the browser, backed by PostgreSQL: a different stack and theme from Django Oscar.
The store is stock EverShop (its default theme, only settings and seed data):

    from tests.evershop.evershop_site import EverShopSite
    with EverShopSite(workdir) as site:
        site.url         # "http://127.0.0.1:PORT/"
        site.manifest    # what was seeded: products, categories, pages, orders (no password)

Practical facts (EverShop 2.2.1 on Node 20):
- `scripts/setup-evershop.sh` installs the package into `.cache/evershop/` (about 470 MB of
  node_modules, 60 MB of build) with `npm ci` from the lock file beside this module, then runs
  `evershop build` there once (about 80 s of webpack on two cores). The build does not depend
  on the data, so every test site reuses it: a site folder links `node_modules` and `.evershop`
  to the cache and keeps its own `media/` and PostgreSQL cluster.
- 2.2.1 imports `concat-stream` without declaring it; package.json here adds it.
- `evershop install` is interactive and refuses to run when DB_HOST is set, and its `seed`
  command downloads pictures from the internet. seed.mjs instead runs the modules' bootstrap
  scripts and migrations itself and seeds through EverShop's own services (createCategory,
  createProduct, createPage, createCustomer, createCustomerAddress, and the `checkout` service
  for the orders). Shipping zones have no service (only an admin API handler): seed.mjs
  inserts the zone rows with EverShop's query builder as that handler does.
- Cash on delivery is off until the setting `codPaymentStatus` is 1; without a payment method
  and a shipping zone the checkout cannot go past the address.
- `evershop start` migrates at start-up and spawns two child processes (event subscriber,
  cron), so the server runs in its own process group and is stopped as a group.
- A seed of 11 products, a customer and 2 orders takes about 5 s; the server answers about
  5 s after start.

By hand: python -m tests.evershop.evershop_site --serve
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

from tests.servers import free_port, postgres_bin, postgres_server

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DEFAULT_CUSTOMER = ("shopper@example.com", "S3cret-pass!")
SEED_TIMEOUT_S = 120
START_TIMEOUT_S = 90
STOP_TIMEOUT_S = 10

# Stock EverShop URL paths of the main customer pages.
PAGES = {
    "home": "",
    "search": "search?keyword=knife",
    "cart": "cart",
    "checkout": "checkout",
    "login": "account/login",
    "register": "account/register",
    "password_reset": "account/reset-password",
    "account": "account",
}


def install_dir() -> Path:
    """Where scripts/setup-evershop.sh installed and built EverShop."""
    return Path(os.environ.get("B2CECT_EVERSHOP_DIR", REPO / ".cache" / "evershop")).resolve()


def evershop_available() -> str | None:
    """None if EverShop is installed and built and PostgreSQL is there; else what is missing."""
    base = install_dir()
    if shutil.which("node") is None:
        return "Node.js is not installed"
    if not (base / "node_modules" / "@evershop" / "evershop" / "package.json").is_file():
        return f"EverShop is not installed in {base}; run scripts/setup-evershop.sh"
    if not (base / ".evershop" / "build").is_dir():
        return f"EverShop is not built in {base}; run scripts/setup-evershop.sh"
    if postgres_bin() is None:
        return "PostgreSQL is not installed; run scripts/setup.sh"
    return None


def _paragraphs(*texts: str) -> list[dict]:
    """EverShop keeps rich text as Editor.js blocks in rows and columns."""
    blocks = [
        {"id": f"p{i}", "type": "paragraph", "data": {"text": text}} for i, text in enumerate(texts)
    ]
    column = {"id": "c1", "size": 1, "data": {"time": 0, "blocks": blocks, "version": "2.31.0"}}
    return [{"id": "r1", "size": 1, "columns": [column]}]


def seed_data(customer: tuple[str, str]) -> dict:
    """The catalogue: kitchen knives, cookware, batteries and tableware, one out of stock."""
    categories = [
        ("Kitchen Knives", "kitchen-knives", "Forged and stamped knives for the home cook."),
        ("Cookware", "cookware", "Pans, pots and skillets for every hob."),
        ("Batteries & Power", "batteries-power", "Batteries and power banks."),
        ("Tableware", "tableware", "Plates, boards and serving pieces."),
    ]
    products = [
        # sku, name, category, price, qty, description
        (
            "KN-CHEF-20",
            "Chef's Knife 20 cm",
            "kitchen-knives",
            89,
            25,
            "Forged stainless steel blade, full tang, riveted handle. Very sharp: keep away "
            "from children and store in a block or sheath.",
        ),
        (
            "KN-PAR-09",
            "Paring Knife 9 cm",
            "kitchen-knives",
            29,
            40,
            "Small blade for peeling and trimming fruit and vegetables.",
        ),
        (
            "KN-STONE-1000",
            "Whetstone 1000/6000 Grit",
            "kitchen-knives",
            35,
            18,
            "Two-sided sharpening stone with a non-slip base. Soak in water before use.",
        ),
        (
            "CW-SKIL-26",
            "Cast Iron Skillet 26 cm",
            "cookware",
            49,
            30,
            "Pre-seasoned cast iron for hob, oven and grill. The handle gets hot.",
        ),
        (
            "CW-SAUCE-2L",
            "Stainless Steel Saucepan 2 L",
            "cookware",
            39,
            22,
            "Tri-ply base suited to induction hobs, with a glass lid.",
        ),
        (
            "CW-FRY-28",
            "Non-stick Frying Pan 28 cm",
            "cookware",
            45,
            0,
            "Aluminium pan with a PFOA-free non-stick coating.",
        ),
        (
            "BT-AA-8",
            "AA Alkaline Batteries, 8 pack",
            "batteries-power",
            9.5,
            120,
            "1.5 V alkaline cells for remotes, clocks and toys. Do not recharge.",
        ),
        (
            "BT-18650-2",
            "18650 Li-ion Rechargeable Batteries, 2 pack",
            "batteries-power",
            19,
            60,
            "3.7 V 3000 mAh protected cells. Charge only with a suitable charger.",
        ),
        (
            "BT-PB-10K",
            "USB-C Power Bank 10000 mAh",
            "batteries-power",
            29,
            35,
            "Charges a phone about twice; USB-C in and out.",
        ),
        (
            "TW-PLATE-4",
            "Porcelain Dinner Plates, set of 4",
            "tableware",
            42,
            15,
            "27 cm white porcelain plates, dishwasher and microwave safe.",
        ),
        (
            "TW-BOARD-40",
            "Bamboo Cutting Board 40 cm",
            "tableware",
            25,
            28,
            "Thick bamboo board with a juice groove.",
        ),
    ]
    email, password = customer
    return {
        "settings": {
            "storeName": "Harbour Kitchen Supply",
            "storeDescription": "Kitchen knives, cookware and batteries",
            "codPaymentStatus": 1,
            "codDisplayName": "Cash on Delivery",
        },
        "shipping": {
            "zone": "United States",
            "countries": ["US"],
            "methods": [{"name": "Standard Delivery", "cost": 5}, {"name": "Express", "cost": 15}],
        },
        "categories": [
            {
                "name": name,
                "url_key": key,
                "description": _paragraphs(text),
                "meta_title": name,
                "meta_description": text,
            }
            for name, key, text in categories
        ],
        "products": [
            {
                "sku": sku,
                "name": name,
                "url_key": sku.lower(),
                "category": category,
                "price": price,
                "qty": qty,
                "stock_availability": qty > 0,
                "weight": 500,
                "description": _paragraphs(text),
                "meta_title": name,
                "meta_description": text,
                "images": [f"/assets/catalog/seed/{sku.lower()}.png"],
            }
            for sku, name, category, price, qty, text in products
        ],
        "pages": [
            {
                "name": "About Us",
                "url_key": "about-us",
                "meta_title": "About Us",
                "content": _paragraphs(
                    "Harbour Kitchen Supply sells kitchen knives, cookware and batteries "
                    "from a small warehouse by the harbour."
                ),
            },
            {
                "name": "Shipping and Returns",
                "url_key": "shipping-returns",
                "meta_title": "Shipping and Returns",
                "content": _paragraphs(
                    "Orders ship within two working days. Unused goods may be returned "
                    "within 30 days of delivery for a refund."
                ),
            },
        ],
        "collection": {
            "fields": {"name": "Featured", "code": "featured", "description": "Featured"},
            "skus": [p[0] for p in products[:8]],
        },
        "widgets": [
            {
                "name": "Main menu",
                "type": "basic_menu",
                "route": ["all"],
                "area": ["headerMiddleCenter"],
                "settings": {
                    "isMain": True,
                    "menus": [
                        {
                            "id": key,
                            "name": name,
                            "url": f"/{key}",
                            "type": "custom",
                            "children": [],
                        }
                        for name, key, _ in categories
                    ],
                },
            },
            {
                "name": "Footer links",
                "type": "footer_menu",
                "route": ["all"],
                "area": ["footerTop"],
                "settings": {
                    "columns": [
                        {
                            "id": "shop",
                            "title": "Shop",
                            "links": [
                                {"id": key, "label": name, "url": f"/{key}"}
                                for name, key, _ in categories
                            ],
                        },
                        {
                            "id": "help",
                            "title": "Help",
                            "links": [
                                {"id": "about", "label": "About Us", "url": "/about-us"},
                                {
                                    "id": "shipping",
                                    "label": "Shipping and Returns",
                                    "url": "/shipping-returns",
                                },
                            ],
                        },
                    ]
                },
            },
            {
                "name": "Featured products",
                "type": "collection_products",
                "route": ["homepage"],
                "area": ["content"],
                "settings": {
                    "collection": "featured",
                    "count": 8,
                    "countPerRow": 4,
                    "heading": "Featured products",
                },
            },
        ],
        "customer": {"email": email, "password": password, "full_name": "Sam Shopper"},
        "address": {
            "full_name": "Sam Shopper",
            "telephone": "5550100",
            "address_1": "12 Harbour Street",
            "city": "San Francisco",
            "province": "US-CA",
            "country": "US",
            "postcode": "94105",
        },
        "orders": [[["KN-CHEF-20", 1], ["KN-STONE-1000", 1]], [["BT-AA-8", 2]]],
    }


def _write_images(media: Path, products: list[dict]) -> None:
    """A plain picture per product: a coloured square with the product's name."""
    from PIL import Image, ImageDraw

    folder = media / "catalog" / "seed"
    folder.mkdir(parents=True, exist_ok=True)
    for index, product in enumerate(products):
        image = Image.new("RGB", (600, 600), (60 + 15 * index, 110, 160 - 8 * index))
        ImageDraw.Draw(image).text((30, 280), product["name"], fill=(255, 255, 255))
        image.save(folder / Path(product["images"][0]).name)


class EverShopSite:
    """One throwaway EverShop store in `workdir` with its own PostgreSQL: build, serve, stop."""

    def __init__(
        self, workdir: str | os.PathLike[str], customer: tuple[str, str] = DEFAULT_CUSTOMER
    ) -> None:
        self.workdir = Path(workdir).resolve()
        self.customer = customer
        self.port: int | None = None
        self.build_seconds: float | None = None
        self.start_seconds: float | None = None
        self.manifest: dict = {}
        self._database_url: str | None = None
        self._server: subprocess.Popen[bytes] | None = None
        self._stack = ExitStack()

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("the EverShop store is not running")
        return f"http://127.0.0.1:{self.port}/"

    def _env(self) -> dict[str, str]:
        parts = urlsplit(self._database_url or "")
        env = dict(os.environ)
        env.update(
            DB_HOST=parts.hostname or "",
            DB_PORT=str(parts.port or ""),
            DB_NAME=parts.path.lstrip("/"),
            DB_USER=parts.username or "",
            DB_PASSWORD="",
            DB_SSLMODE="disable",
            NODE_ENV="production",
            SUPPRESS_NO_CONFIG_WARNING="1",
        )
        return env

    def build(self) -> float:
        """Database, links to the installed build, pictures, seed; seconds taken."""
        started = time.monotonic()
        self.workdir.mkdir(parents=True, exist_ok=True)
        base = install_dir()
        for name in ("node_modules", ".evershop", "package.json"):
            link = self.workdir / name
            if not link.exists():
                link.symlink_to(base / name)
        self._database_url = self._stack.enter_context(postgres_server("evershop"))
        data = seed_data(self.customer)
        _write_images(self.workdir / "media", data["products"])
        with open(self.workdir / "seed.log", "w", encoding="utf-8") as log:
            result = subprocess.run(
                ["node", str(HERE / "seed.mjs")],
                cwd=self.workdir,
                env=self._env(),
                input=json.dumps(data).encode(),
                stdout=subprocess.PIPE,
                stderr=log,
                timeout=SEED_TIMEOUT_S,
                check=False,
            )
        lines = [line for line in result.stdout.decode().splitlines() if line.startswith("{")]
        if result.returncode != 0 or not lines:
            raise RuntimeError(f"EverShop seed failed; see {self.workdir / 'seed.log'}")
        made = json.loads(lines[-1])
        self.manifest = {
            "customer_email": self.customer[0],
            "categories": [c["url_key"] for c in data["categories"]],
            "products": [
                {"sku": p["sku"], "name": p["name"], "path": p["url_key"], "qty": p["qty"]}
                for p in data["products"]
            ],
            "pages": [p["url_key"] for p in data["pages"]],
            "orders": made["orders"],
        }
        (self.workdir / "manifest.json").write_text(json.dumps(self.manifest, indent=2))
        self.build_seconds = time.monotonic() - started
        return self.build_seconds

    def start(self) -> None:
        """Serve the store on a free loopback port; returns once the home page answers."""
        started = time.monotonic()
        self.port = free_port()
        env = self._env()
        env["PORT"] = str(self.port)
        # Absolute links would otherwise name http://localhost:PORT, another host to a crawler.
        env["EVERSHOP_HOME_URL"] = self.url.rstrip("/")
        log = open(self.workdir / "server.log", "ab")  # noqa: SIM115
        self._server = subprocess.Popen(
            ["node", "node_modules/@evershop/evershop/dist/bin/evershop.js", "start"],
            cwd=self.workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: the subscriber and cron children too
        )
        log.close()
        try:
            self._wait_until_answering(started + START_TIMEOUT_S)
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - started

    def _wait_until_answering(self, deadline: float) -> None:
        assert self._server is not None
        while True:
            try:
                with urllib.request.urlopen(self.url, timeout=10) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline or self._server.poll() is not None:
                raise RuntimeError(f"EverShop not answering; see {self.workdir}/server.log")
            time.sleep(0.3)

    def stop(self) -> None:
        server, self._server, self.port = self._server, None, None
        if server is not None:
            try:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=STOP_TIMEOUT_S)
            except ProcessLookupError:
                pass
            try:  # children that outlived the main process
                os.killpg(server.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def __enter__(self) -> EverShopSite:
        try:
            self.build()
            self.start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            self.stop()
        finally:
            self._stack.close()  # the PostgreSQL cluster


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build and serve a throwaway EverShop store.")
    parser.add_argument("--serve", action="store_true", help="build, serve until Ctrl-C")
    args = parser.parse_args(argv)
    if not args.serve:
        parser.print_help()
        return 2
    missing = evershop_available()
    if missing:
        print(missing, file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with tempfile.TemporaryDirectory(prefix="evershop-") as scratch:
        with EverShopSite(scratch) as site:
            print(f"built in {site.build_seconds:.1f} s, started in {site.start_seconds:.1f} s")
            print(f"customer: {site.customer[0]} / {site.customer[1]}")
            for name, path in PAGES.items():
                print(f"  {name:15} {site.url}{path}")
            for product in site.manifest["products"][:3]:
                print(f"  {'product':15} {site.url}{product['path']}")
            print("\nCtrl-C to stop.")
            try:
                while site._server is not None and site._server.poll() is None:
                    time.sleep(1)
            except KeyboardInterrupt:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
