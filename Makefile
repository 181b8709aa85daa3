# Set-up and everyday commands. Only Python 3.11+ is needed on the machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test test-fast lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## demo: generate Jan–Mar 2024 demo workbooks and consolidate them (SQLite, ./var)
demo: $(STAMP)
	$(BIN)/cellreports demo

## test: the whole suite (unit, integration incl. PostgreSQL, e2e)
test: $(STAMP)
	$(BIN)/pytest

test-fast: $(STAMP)
	$(BIN)/pytest tests/unit

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf var
