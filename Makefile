# The README's two commands are `make run` and `make test`; everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed

.PHONY: run test lint format screenshots bench bench-webhooks soak clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/coalesce migrate
	$(BIN)/coalesce seed-demo --if-empty
	@echo "Coalesce is at http://127.0.0.1:8000 (API docs at /docs)"
	$(BIN)/coalesce serve --host 127.0.0.1 --port 8000

# The suite runs in TEST_WORKERS processes, each with databases of its own (tests/databases.py);
# a module stays on one worker so its module-scoped servers and seeded demo start once.
TEST_WORKERS ?= 3

test: $(TEST_STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(TEST_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Every page each demo persona reaches, at 390 and 1280 px, into var/screenshots/ (Chromium
# at /usr/bin/chromium, as the browser tests use).
screenshots: $(TEST_STAMP)
	$(BIN)/python -m tests.screenshots $(SCREENSHOTS_ARGS)

# wrk drives the servers (Debian: apt-get install -y wrk); the data set is cached in var/bench.
bench: $(TEST_STAMP)
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install -y wrk"; exit 1; }
	$(BIN)/python -m bench.api

bench-webhooks: $(TEST_STAMP)
	$(BIN)/python -m bench.webhooks

# Two web processes and two workers on one PostgreSQL (COALESCE_TEST_POSTGRES_URL).
soak: $(TEST_STAMP)
	COALESCE_TEST_POSTGRES_URL=$${COALESCE_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres} \
		$(BIN)/python -m tests.soak $(SOAK_ARGS)

clean:
	rm -rf $(VENV) var/*.db var/*.db-*
