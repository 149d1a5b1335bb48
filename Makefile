# Dreamery Hub: one entry point for setting up, running, checking and benchmarking.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Compile the dependencies once at install: start-up stays fast even where the environment
# forbids writing bytecode at run time (PYTHONDONTWRITEBYTECODE).
export UV_COMPILE_BYTECODE := 1

.DEFAULT_GOAL := help
.PHONY: help setup run test lint format typecheck check bench clean

help:
	@echo "make run        set up, migrate and seed the embedded database, serve the hub"
	@echo "make test       set up and run the whole suite (SQLite, and PostgreSQL when reachable)"
	@echo "make check      lint, type-check and test: what CI runs"
	@echo "make bench      benchmarks (results in docs/benchmarks.md)"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

setup: $(VENV)/.synced

run: setup
	$(BIN)/dreamery db migrate
	$(BIN)/dreamery db seed
	$(BIN)/dreamery users ensure-admin
	$(BIN)/dreamery serve $(SERVE_ARGS)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

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
