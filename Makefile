# Dreamery Hub: one entry point for setting up, running, checking and benchmarking.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.DEFAULT_GOAL := help
.PHONY: help setup browser run test test-fast lint format typecheck check bench clean

help:
	@echo "make run        set up, migrate and seed the embedded database, serve the hub"
	@echo "make test       set up and run the whole suite (SQLite, and PostgreSQL when reachable)"
	@echo "make test-fast  the in-process tests only (no servers, Schemathesis or browser)"
	@echo "make check      lint, type-check and test: what CI runs"
	@echo "make bench      benchmarks (results in docs/benchmarks.md)"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Two installs from the same lock: what the hub needs to run (`make run`), and that plus the
# `dev` dependency group (tests, linters, type checker, browser driver) for everything else.
# The runtime install never removes the development tools (--inexact), so `make run` after
# `make test` leaves them in place; the development install is the exact one.
#
# Bytecode is compiled once at install, so that start-up stays fast even where the
# environment forbids writing it at run time (PYTHONDONTWRITEBYTECODE). For the runtime, only
# what the hub imports is compiled (importing it once writes the bytecode of those modules
# alone), rather than every file of every package; the development install compiles all.
RUNTIME := $(VENV)/.synced-runtime
DEV := $(VENV)/.synced-dev
HUB_MODULES := dreamery.cli, dreamery.api.app, dreamery.catalog.seed, dreamery.migrations.runner,
HUB_MODULES += alembic.command, uvicorn.main, uvicorn.loops.auto, uvicorn.protocols.http.auto,
HUB_MODULES += uvicorn.protocols.websockets.auto, uvicorn.lifespan.on

$(RUNTIME): $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --no-dev --inexact --python $(PYTHON)
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -c "import $(HUB_MODULES)"
	@touch $@

$(DEV): $(UV) pyproject.toml uv.lock
	UV_COMPILE_BYTECODE=1 $(UV) sync --frozen --python $(PYTHON)
	@touch $@ $(RUNTIME)

setup: $(DEV)

run: $(RUNTIME)
	$(BIN)/dreamery db migrate
	$(BIN)/dreamery db seed
	$(BIN)/dreamery users ensure-admin
	@echo "Lost the administrator's password? $(BIN)/dreamery users set-password EMAIL prints a new one."
	$(BIN)/dreamery serve $(SERVE_ARGS)

# The studio's browser test drives Debian's Chromium (Playwright's own download cannot be
# reached here). Installed when absent and this user may install packages.
CHROMIUM := /usr/bin/chromium
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "note: $(CHROMIUM) is missing and cannot be installed here; the browser test will say so"; \
	  fi; \
	fi

# Tests run in parallel, one worker per core (PYTEST_WORKERS=0 runs them in this process).
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(PYTEST_WORKERS)

test: setup browser
	$(PYTEST) $(PYTEST_ARGS)

test-fast: setup
	$(PYTEST) -m "not process and not browser" $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: setup
	$(BIN)/mypy

check: lint typecheck test

bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
