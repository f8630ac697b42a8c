"""Command line of the shop project, run in its own process by tests/oscar/oscar_site.py.

    OSCAR_SITE_DIR=... OSCAR_CUSTOMER_EMAIL=... OSCAR_CUSTOMER_PASSWORD=... python -m shopsite build
    OSCAR_SITE_DIR=... python -m shopsite serve

`serve` prints "PORT <n>" on its first line once it listens on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopsite.settings")


def build() -> None:
    import django
    import oscar
    from django.core.management import call_command

    django.setup()
    from shopsite.seed import seed

    call_command("migrate", interactive=False, verbosity=0)
    # Symlinks instead of copies: whitenoise follows them and the build stays fast.
    call_command("collectstatic", interactive=False, link=True, verbosity=0)
    manifest = seed(os.environ["OSCAR_CUSTOMER_EMAIL"], os.environ["OSCAR_CUSTOMER_PASSWORD"])
    call_command("rebuild_index", interactive=False, verbosity=0)
    manifest["oscar_version"] = oscar.get_version()
    manifest["django_version"] = django.get_version()
    path = Path(os.environ["OSCAR_SITE_DIR"]) / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")


def serve() -> None:
    from shopsite.wsgi import application
    from waitress import create_server

    if os.environ.get("OSCAR_EXIT_ON_STDIN_EOF") == "1":
        threading.Thread(target=exit_on_stdin_eof, daemon=True).start()
    server = create_server(application, host="127.0.0.1", port=0, threads=6)
    print(f"PORT {server.effective_port}", flush=True)
    server.run()


def exit_on_stdin_eof() -> None:
    """Stop when the parent closes our stdin pipe, which also happens when it dies.

    A crashed or killed test run must not leave orphan servers behind.
    """
    sys.stdin.read()
    os._exit(0)


if __name__ == "__main__":
    commands = {"build": build, "serve": serve}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: python -m shopsite {{{','.join(commands)}}}")
    commands[sys.argv[1]]()
