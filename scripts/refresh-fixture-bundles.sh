#!/usr/bin/env bash
# Re-scan both demo sellers and save their bundles under fixtures/bundles/, the regression
# inputs of `b2cect audit` (tests/test_end_to_end.py). Run after changing the demo store or
# the crawler, then review the verdict changes before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for seller in compliant noncompliant; do
  .venv/bin/b2cect scan --demo "$seller" --out "$tmp/$seller" -q || true
  rm -rf "fixtures/bundles/$seller"
  mkdir -p fixtures/bundles
  cp -r "$tmp/$seller/bundle" "fixtures/bundles/$seller"
  echo "saved fixtures/bundles/$seller"
done
