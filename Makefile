# Set-up and everyday commands. Only Python 3.11+ is needed on the machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install lock demo test test-fast lint clean bench bench-web bench-desk

PIP := $(BIN)/python -m pip install --disable-pip-version-check
# The exact versions the suite was run with (every dependency, dev tools included).
LOCK := requirements.lock
# uv resolves the lock (make lock); it lives in its own small venv, not in the project's
UV_VERSION := 0.13.9
UV := $(VENV)/tools/bin/uv

# pip's own chatter goes to a log, shown only if the installation fails. The locked
# versions first, then the project itself without resolving anything again.
$(STAMP): pyproject.toml $(LOCK)
	@echo "Installing cellreports into $(VENV) (first run only, about a minute)..."
	@$(PYTHON) -m venv $(VENV)
	@($(PIP) --upgrade pip && $(PIP) -r $(LOCK) && $(PIP) --no-deps -e .) \
		> $(VENV)/install.log 2>&1 \
		|| (cat $(VENV)/install.log; echo "Installation failed: see above."; exit 1)
	@touch $(STAMP)

install: $(STAMP)

## lock: resolve pyproject.toml (with the dev extras) into requirements.lock again. Pins
## already in the lock are kept unless they no longer fit; `make lock LOCK_ARGS=--upgrade`
## takes the newest versions allowed. One version per package, for Python 3.11+ anywhere.
lock:
	@test -x $(UV) || ($(PYTHON) -m venv $(VENV)/tools \
		&& $(VENV)/tools/bin/python -m pip install -q --disable-pip-version-check \
		"uv==$(UV_VERSION)")
	$(UV) pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--custom-compile-command "make lock" -o $(LOCK) -q $(LOCK_ARGS)

## demo: generate Jan–Mar 2024 demo workbooks and consolidate them (SQLite, ./var)
demo: $(STAMP)
	@$(BIN)/cellreports demo

## test: the whole suite (unit, integration incl. PostgreSQL, e2e)
test: $(STAMP)
	@$(BIN)/pytest

## bench: our monthly run against the naive pipeline on 1,000 synthetic cells, 3 runs each,
## alternating, each on a fresh Prefect server; medians, ranges, process-tree memory (docs/benchmarks.md)
bench: $(STAMP)
	@$(BIN)/python bench/run.py 1000

## bench-web: the web page's latency, 20 cells uploading at once, batched vs one at a time
bench-web: $(STAMP)
	@$(BIN)/python bench/web_latency.py 20

## bench-desk: the officers' pages, a district of 50 cells and a province of 1,000 (PostgreSQL, SQLite)
bench-desk: $(STAMP)
	@$(BIN)/python bench/desk_latency.py

test-fast: $(STAMP)
	$(BIN)/pytest tests/unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf var
