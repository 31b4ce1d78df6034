# One target per job, so a newcomer never has to guess.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint format bench system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)             ## serve the API and the form on http://HOST:PORT (make run PORT=8001)
	$(BIN)/fare-service serve --host $(HOST) --port $(PORT)

system-deps:              ## Debian packages the browser tests need (chromium, fonts-nanum)
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
