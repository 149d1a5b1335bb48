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

# uv, pinned, in a directory of its own: installed by the interpreter's pip when it has one
# (seconds faster than a virtual environment made for it), else in such an environment.
$(UV):
	@if $(PYTHON) -m pip --version >/dev/null 2>&1; then \
	  echo "installing uv $(UV_VERSION) into $(TOOLS)"; \
	  $(PYTHON) -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
	    --root-user-action=ignore \
	    --target $(TOOLS) uv==$(UV_VERSION); \
	else \
	  $(PYTHON) -m venv $(TOOLS) && \
	  $(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION); \
	fi

# Two installs from the same lock: what the hub needs to run (`make run`), and that plus the
# `dev` dependency group (tests, linters, type checker, browser driver) for everything else.
# The runtime install never removes the development tools (--inexact), so `make run` after
# `make test` leaves them in place; the development install is the exact one.
#
# Bytecode: the development install compiles every file at install. The runtime install
# compiles none; `make run` lets the hub write the bytecode of what it imports as it starts
# (even where the environment forbids that, PYTHONDONTWRITEBYTECODE), so later starts are
# fast, without compiling the thousands of files the hub never imports.
RUNTIME := $(VENV)/.synced-runtime
DEV := $(VENV)/.synced-dev

$(RUNTIME): $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --no-dev --inexact --python $(PYTHON)
	@touch $@

$(DEV): $(UV) pyproject.toml uv.lock
	UV_COMPILE_BYTECODE=1 $(UV) sync --frozen --python $(PYTHON)
	@touch $@ $(RUNTIME)

setup: $(DEV)

# One process migrates, seeds, makes sure of an administrator and serves: `dreamery db
# migrate`, `db seed`, `users ensure-admin` and `serve` in turn would each start Python anew.
run: $(RUNTIME)
	@echo "Lost the administrator's password? $(BIN)/dreamery users set-password EMAIL prints a new one."
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/dreamery serve --prepare $(SERVE_ARGS)

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
