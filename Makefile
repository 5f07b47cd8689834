# Two commands matter: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip install --quiet --disable-pip-version-check
HOST   ?= 127.0.0.1
PORT   ?= 8000
# PostgreSQL used by the test suite (the second store every test runs on).
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
export TEST_DATABASE_URL
# Test processes (pytest-xdist); each worker has its own PostgreSQL scratch database.
TEST_WORKERS ?= 2

.PHONY: run test test-sqlite lint install install-dev bench bench-deps clean eval fuzz

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: $(BIN)/python requirements.lock pyproject.toml
	$(PIP) --require-hashes -r requirements.lock
	$(PIP) --no-deps -e .
	@touch $@

$(VENV)/.dev: $(BIN)/python requirements-dev.lock pyproject.toml
	$(PIP) --require-hashes -r requirements-dev.lock
	$(PIP) --no-deps -e .
	@touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

## make run: install, migrate, load demo data into an empty store, serve on http://$(HOST):$(PORT)
run: install
	$(BIN)/threadline migrate
	$(BIN)/threadline serve --host $(HOST) --port $(PORT)

## make test: lint, then the whole suite on SQLite and on PostgreSQL ($(TEST_DATABASE_URL))
test: install-dev lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --durations=15

## make test-sqlite: the suite on SQLite only (for a machine without PostgreSQL)
test-sqlite: install-dev
	TEST_STORES=sqlite $(BIN)/pytest -m "not postgresql"

## make fuzz: the OpenAPI fuzz test with FUZZ_EXAMPLES (500) examples per operation on both stores (make test runs 25)
FUZZ_EXAMPLES ?= 500
fuzz: install-dev
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/ops/test_openapi_fuzz.py

## make eval: the sales agent's evaluation and held-out sets: understanding scores and demo-catalog dialogues (fails under 90%)
eval: install-dev
	$(BIN)/python -m tests.agent.eval.run
	$(BIN)/python -m tests.agent.eval.run --utterances-file tests/agent/eval/heldout_utterances.yaml \
		--dialogues-file tests/agent/eval/heldout_dialogues.yaml

lint: install-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

bench-deps:
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)

## make bench: the session, login-load, search, checkout, chat, webhook and mixed-load benchmarks on both stores, restore at 10k vs 1M sessions (PostgreSQL), and the pages' first load
bench: install-dev bench-deps
	$(BIN)/python benchmarks/sessions.py --store both
	$(BIN)/python benchmarks/login_load.py --store both
	$(BIN)/python benchmarks/search.py --store both
	$(BIN)/python benchmarks/checkout.py --store both
	$(BIN)/python benchmarks/chat.py --store both --llm
	$(BIN)/python benchmarks/channels.py --store both
	$(BIN)/python benchmarks/mixed.py --store both
	$(BIN)/python benchmarks/scale.py
	$(BIN)/python benchmarks/pages.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
