# The two commands of the README. Both set up a fresh machine first (scripts/setup.sh).
.PHONY: setup demo test lint bench

setup:
	@scripts/setup.sh

# Scan the bundled demo storefront (compliant seller) and write a report folder.
demo: setup
	.venv/bin/b2cect scan

# Test files run in parallel workers (one per core); a file's tests stay together, so each
# shop a module scans is built and scanned once.
test: setup
	.venv/bin/python -m pytest -q -n auto --dist loadfile

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

bench: setup
	.venv/bin/python benchmarks/bench.py
