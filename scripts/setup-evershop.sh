#!/usr/bin/env bash
# Install and build the stock EverShop store the tests scan (tests/evershop/): npm packages
# from the lock file into .cache/evershop/ (gitignored), then EverShop's webpack build there.
# Safe to run again: skipped when the installed lock file and the build are current.
# Needs Node.js 20+ and npm; without them it says so and does nothing (the tests then skip).
set -euo pipefail
cd "$(dirname "$0")/.."

src=tests/evershop
dest=${B2CECT_EVERSHOP_DIR:-.cache/evershop}
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "setup-evershop: node/npm not found; the EverShop tests will be skipped"
  exit 0
fi
mkdir -p "$dest"
if ! cmp -s "$src/package-lock.json" "$dest/package-lock.json" \
   || [ ! -f "$dest/node_modules/@evershop/evershop/package.json" ]; then
  echo "setup-evershop: installing EverShop into $dest"
  cp "$src/package.json" "$src/package-lock.json" "$dest/"
  rm -rf "$dest/.evershop"
  (cd "$dest" && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! -d "$dest/.evershop/build" ]; then
  echo "setup-evershop: building EverShop (about 1.5 min)"
  # The build needs no database; EverShop logs a refused connection and builds all the same.
  (cd "$dest" && SUPPRESS_NO_CONFIG_WARNING=1 DB_HOST=127.0.0.1 DB_PORT=1 \
    node node_modules/@evershop/evershop/dist/bin/evershop.js build >build.log 2>&1) \
    || { echo "setup-evershop: build failed, see $dest/build.log"; rm -rf "$dest/.evershop"; exit 1; }
fi
