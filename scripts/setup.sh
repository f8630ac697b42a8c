#!/usr/bin/env bash
# One-time set-up on a fresh machine: the OS Chromium and a CJK font (Playwright's own browser
# download cannot be used here), Redis and PostgreSQL for the fleet tests, then a virtualenv
# with b2cect and its test/dev extras.
# Safe to run again: every step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=${VENV:-.venv}

need_pkgs=()
if [ -z "${B2CECT_BROWSER:-}" ] && ! command -v chromium >/dev/null 2>&1 \
   && ! command -v chromium-browser >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then
  need_pkgs+=(chromium)
fi
# grep reads everything (no -q): with pipefail, grep -q stopping early fails fc-list on SIGPIPE.
if ! fc-list 2>/dev/null | grep -iE 'wqy|noto sans cjk|noto serif cjk' >/dev/null; then
  need_pkgs+=(fonts-wqy-zenhei)
fi
# Fleet tests start a real Redis broker and PostgreSQL history (tests/servers.py).
if ! command -v redis-server >/dev/null 2>&1; then
  need_pkgs+=(redis-server)
fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need_pkgs+=(postgresql)
fi
# The EverShop test store (tests/evershop/) runs on Node.js.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  need_pkgs+=(nodejs npm)
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing OS packages: ${need_pkgs[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV"
  "$PY" -m venv "$VENV"
fi
stamp="$VENV/.b2cect-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing b2cect into $VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q -e '.[dev]'
  touch "$stamp"
fi
# The stock EverShop store the tests scan: npm packages and its build in .cache/evershop/.
# Not fatal: without it the EverShop tests skip and say why.
scripts/setup-evershop.sh || echo "setup: EverShop was not installed; its tests will be skipped"
