"""Build and serve a throwaway Django Oscar 4.2 shop on loopback, for crawler tests.

The shop is stock Oscar (only configuration and seed data, see shopsite/) so that b2cect's
generic discovery can be tried on a real third-party storefront:

    from tests.oscar.oscar_site import OscarSite
    with OscarSite(workdir, customer=("shopper@example.com", "S3cret-pass!")) as site:
        site.url                  # "http://127.0.0.1:PORT/"  (English, no prefix)
        site.url_for("zh-hans")   # "http://127.0.0.1:PORT/zh-hans/"
        site.manifest             # what was seeded: products, categories, orders (no password)

`variant="choices"` serves the same shop with two priced shipping methods (each with its own
"Select option" button) and a payment-method step to answer (radios and "Continue"): forks of
Oscar's `shipping` and `checkout` apps in shopsite/choices/. The database is the same, so a
site built without the variant can be served with it (and the other way round).

Django runs in child processes only (build, then a waitress server), so the calling process
never configures Django. Everything the site writes stays in `workdir`. To build once per test
session and give each test a fresh copy, pass an already built site folder as `prebuilt`.

By hand: python tests/oscar/oscar_site.py --serve
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent  # holds the `shopsite` Django project
DEFAULT_CUSTOMER = ("shopper@example.com", "S3cret-pass!")
LANGUAGES = ("en", "zh-hans")
DEFAULT_LANGUAGE = "en"
VARIANTS = ("", "choices")
BUILD_TIMEOUT_S = 300
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 10

# Stock Oscar URL paths of the main customer pages, relative to a language root.
PAGES = {
    "home": "",
    "listing": "catalogue/",
    "search": "search/?q=tea",
    "basket": "basket/",
    "checkout": "checkout/",
    "login": "accounts/login/",
    "register": "accounts/register/",
    "password_reset": "password-reset/",
    "profile": "accounts/profile/",
    "addresses": "accounts/addresses/",
    "order_history": "accounts/orders/",
    "offers": "offers/",
}

# Parts of a built site folder that a copy needs (the rest are logs and mail).
_BUILT_PARTS = ("whoosh_index", "media", "static", "manifest.json")


def oscar_available() -> bool:
    """True if django-oscar and the serving stack are importable (the `oscar` extra)."""
    needed = ("oscar", "whoosh", "whitenoise", "waitress", "sorl")
    return all(importlib.util.find_spec(name) is not None for name in needed)


class OscarSite:
    """One throwaway Oscar shop in `workdir`: build (or copy) it, serve it, stop it."""

    def __init__(
        self,
        workdir: str | os.PathLike[str],
        customer: tuple[str, str] = DEFAULT_CUSTOMER,
        *,
        prebuilt: str | os.PathLike[str] | None = None,
        variant: str = "",
    ) -> None:
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant {variant!r}; the shop has {VARIANTS}")
        self.variant = variant
        self.workdir = Path(workdir).resolve()
        self.customer = customer
        self.prebuilt = Path(prebuilt).resolve() if prebuilt else None
        self.port: int | None = None
        self.build_seconds: float | None = None
        self.start_seconds: float | None = None
        self._server: subprocess.Popen[str] | None = None

    # -- building ---------------------------------------------------------------------------

    @property
    def is_built(self) -> bool:
        return (self.workdir / "manifest.json").is_file()

    @property
    def manifest(self) -> dict:
        """Seeded ground truth: categories, products, orders (paths of the English interface)."""
        return json.loads((self.workdir / "manifest.json").read_text(encoding="utf-8"))

    def build(self) -> float:
        """Create the site from scratch (migrate, static files, seed, search index); seconds."""
        if self.is_built:
            raise FileExistsError(f"{self.workdir} already holds a built Oscar site")
        self.workdir.mkdir(parents=True, exist_ok=True)
        email, password = self.customer
        env = self._env(OSCAR_CUSTOMER_EMAIL=email, OSCAR_CUSTOMER_PASSWORD=password)
        started = time.monotonic()
        with open(self.workdir / "build.log", "w", encoding="utf-8") as log:
            result = subprocess.run(
                [sys.executable, "-m", "shopsite", "build"],
                cwd=PROJECT_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=BUILD_TIMEOUT_S,
                check=False,
            )
        if result.returncode != 0:
            raise RuntimeError(f"Oscar site build failed; see {self.workdir / 'build.log'}")
        self.build_seconds = time.monotonic() - started
        return self.build_seconds

    def copy_from(self, source: str | os.PathLike[str]) -> None:
        """Make this site a fresh copy of an already built site folder."""
        source = Path(source).resolve()
        manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
        if manifest["customer_email"] != self.customer[0]:
            raise ValueError(
                f"{source} was built for customer {manifest['customer_email']!r}, "
                f"not {self.customer[0]!r}"
            )
        self.workdir.mkdir(parents=True, exist_ok=True)
        # SQLite's backup API gives a consistent copy even if the source site is serving.
        with sqlite3.connect(source / "db.sqlite3") as src:
            with sqlite3.connect(self.workdir / "db.sqlite3") as dst:
                src.backup(dst)
        for part in _BUILT_PARTS:
            if (source / part).is_dir():
                # collectstatic made symlinks into site-packages; keep them as links.
                shutil.copytree(source / part, self.workdir / part, symlinks=True)
            else:
                shutil.copy2(source / part, self.workdir / part)

    # -- serving ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("the Oscar site is not running")
        return f"http://127.0.0.1:{self.port}/"

    def url_for(self, language: str = DEFAULT_LANGUAGE, path: str = "") -> str:
        """URL of `path` (e.g. "catalogue/" or a PAGES value) in the interface of `language`."""
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}; the site has {LANGUAGES}")
        prefix = "" if language == DEFAULT_LANGUAGE else f"{language}/"
        return self.url + prefix + path.lstrip("/")

    def start(self) -> None:
        """Serve the built site on a free loopback port; returns once it answers."""
        if self._server is not None:
            raise RuntimeError("the Oscar site is already running")
        started = time.monotonic()
        log = open(self.workdir / "server.log", "a", encoding="utf-8")  # noqa: SIM115
        self._server = subprocess.Popen(
            [sys.executable, "-m", "shopsite", "serve"],
            cwd=PROJECT_DIR,
            env=self._env(OSCAR_EXIT_ON_STDIN_EOF="1"),
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
        )
        log.close()  # the child holds its own handle
        try:
            self.port = self._read_port()
            self._wait_until_answering(started + START_TIMEOUT_S)
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - started

    def stop(self) -> None:
        """Stop the server process (SIGTERM, then SIGKILL if it hangs)."""
        server, self._server, self.port = self._server, None, None
        if server is None:
            return
        for pipe in (server.stdin, server.stdout):
            if pipe:
                pipe.close()  # closing stdin alone already makes the server exit
        server.terminate()
        try:
            server.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=STOP_TIMEOUT_S)

    def __enter__(self) -> OscarSite:
        if not self.is_built:
            if self.prebuilt:
                self.copy_from(self.prebuilt)
            else:
                self.build()
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- helpers ----------------------------------------------------------------------------

    def _env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.update(
            OSCAR_SITE_DIR=str(self.workdir),
            OSCAR_VARIANT=self.variant,
            PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_DIR), env.get("PYTHONPATH")])),
            **extra,
        )
        return env

    def _read_port(self) -> int:
        """The server prints "PORT <n>" once it listens; a dead server prints nothing."""
        assert self._server is not None and self._server.stdout is not None
        line = self._server.stdout.readline()  # returns "" at once if the child dies
        if not line.startswith("PORT "):
            raise RuntimeError(f"Oscar server did not start; see {self.workdir / 'server.log'}")
        return int(line.split()[1])

    def _wait_until_answering(self, deadline: float) -> None:
        # The first request loads Django and Oscar; wait for it so tests start on a warm site.
        while True:
            try:
                with urllib.request.urlopen(self.url_for(path="catalogue/"), timeout=10) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline or self._server.poll() is not None:
                raise RuntimeError(f"Oscar server not answering; see {self.workdir}/server.log")
            time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build and serve a throwaway Oscar shop.")
    parser.add_argument("--serve", action="store_true", help="build, serve until Ctrl-C")
    parser.add_argument("--workdir", help="site folder (default: a temp dir, removed at exit)")
    parser.add_argument("--email", default=DEFAULT_CUSTOMER[0])
    parser.add_argument("--password", default=DEFAULT_CUSTOMER[1])
    parser.add_argument("--variant", default="", choices=VARIANTS, help="e.g. choices")
    args = parser.parse_args(argv)
    if not args.serve:
        parser.print_help()
        return 2
    if not oscar_available():
        print("django-oscar is not installed: pip install -e '.[oscar]'", file=sys.stderr)
        return 1
    # `kill` should clean up like Ctrl-C does: stop the server, remove the temp folder.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with tempfile.TemporaryDirectory(prefix="oscar-site-") as scratch:
        site = OscarSite(
            args.workdir or scratch, customer=(args.email, args.password), variant=args.variant
        )
        with site:
            print_summary(site)
            try:
                while site._server is not None and site._server.poll() is None:
                    time.sleep(1)
            except KeyboardInterrupt:
                pass
    return 0


def print_summary(site: OscarSite) -> None:
    if site.build_seconds is not None:
        print(f"built in {site.build_seconds:.1f} s, ", end="")
    print(f"started in {site.start_seconds:.1f} s; site folder {site.workdir}")
    print(f"customer: {site.customer[0]} / {site.customer[1]}")
    manifest = site.manifest
    for language in LANGUAGES:
        print(f"\n[{language}]")
        for name, path in PAGES.items():
            print(f"  {name:15} {site.url_for(language, path)}")
        print(f"  {'product':15} {site.url_for(language, manifest['products'][0]['path'])}")
        print(f"  {'order_detail':15} {site.url_for(language, manifest['orders'][-1]['path'])}")
    print("\nCtrl-C to stop.")


if __name__ == "__main__":
    sys.exit(main())
