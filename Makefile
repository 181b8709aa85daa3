# Set-up and everyday commands. Only Python 3.11+ is needed on the machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test test-fast lint clean bench

PIP := $(BIN)/python -m pip install --disable-pip-version-check

# pip's own chatter goes to a log, shown only if the installation fails
$(STAMP): pyproject.toml
	@echo "Installing cellreports into $(VENV) (first run only, about a minute)..."
	@$(PYTHON) -m venv $(VENV)
	@($(PIP) --upgrade pip && $(PIP) -e ".[dev]") > $(VENV)/install.log 2>&1 \
		|| (cat $(VENV)/install.log; echo "Installation failed: see above."; exit 1)
	@touch $(STAMP)

install: $(STAMP)

## demo: generate Jan–Mar 2024 demo workbooks and consolidate them (SQLite, ./var)
demo: $(STAMP)
	@$(BIN)/cellreports demo

## test: the whole suite (unit, integration incl. PostgreSQL, e2e)
test: $(STAMP)
	@$(BIN)/pytest

## bench: our monthly run against the naive pipeline on 1,000 synthetic cells (docs/benchmarks.md)
bench: $(STAMP)
	@$(BIN)/python bench/run.py 1000

test-fast: $(STAMP)
	$(BIN)/pytest tests/unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf var
