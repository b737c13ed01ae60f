# Bootstrap and the two everyday commands. Everything installs into .venv (Python deps, the
# PostgreSQL client via psycopg's binary wheel); Label Studio installs itself into its own
# virtualenv on first use (~/.cache/workbench, or $WORKBENCH_CACHE_DIR).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: up test lint check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

up: $(STAMP)  ## the main job on the embedded default
	$(BIN)/workbench up

test: $(STAMP)  ## the test suite (starts a real Label Studio server; needs PostgreSQL on 127.0.0.1)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check workbench tests benchmarks
	$(BIN)/ruff format --check workbench tests benchmarks
	$(BIN)/mypy workbench

check: lint test

clean:
	rm -rf $(VENV) .workbench .pytest_cache .mypy_cache .ruff_cache
