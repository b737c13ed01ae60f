# Bootstrap and the two everyday commands. Everything installs into .venv (Python deps, the
# PostgreSQL client via psycopg's binary wheel); Label Studio installs itself into its own
# virtualenv on first use (~/.cache/workbench, or $WORKBENCH_CACHE_DIR).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: up test lint check clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

up: $(STAMP)  ## the main job on the embedded default
	$(BIN)/workbench up

test: $(STAMP) browser  ## the test suite (starts a real Label Studio server; needs PostgreSQL on 127.0.0.1)
	$(BIN)/python -m pytest

# Debian's Chromium for the browser test of the labeling view (tests/test_view_browser.py drives
# it with Playwright; Playwright's own browser download is never used). Needs root and apt; when
# the install fails, make goes on and that test is skipped with the reason.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Chromium (apt-get install chromium) for the browser test" >&2; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  { apt-get install -y -qq chromium >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; }; } || \
	  echo "could not install Chromium: tests/test_view_browser.py will be skipped" >&2; }

lint: $(STAMP)
	$(BIN)/ruff check workbench tests benchmarks
	$(BIN)/ruff format --check workbench tests benchmarks
	$(BIN)/mypy workbench

check: lint test

clean:
	rm -rf $(VENV) .workbench .pytest_cache .mypy_cache .ruff_cache
