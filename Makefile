# One target per job, so a newcomer never has to guess.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint format bench system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)             ## serve the API and the form on http://127.0.0.1:8000
	$(BIN)/fare-service serve

system-deps:              ## Debian packages the browser tests need (chromium)
	scripts/install-system-deps.sh

test: system-deps $(STAMP) ## lint, type-check, then every test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)           ## the CPU benchmarks (load tests: benchmarks/run_load.sh)
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_routes.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis
