# BreachDesk: `make run` to try it, `make test` to check it.
# Both create .venv on first use with a Python >= 3.12 (Django 6 needs it).

VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTHON_CANDIDATES := python3.14 python3.13 python3.12 python3

.DEFAULT_GOAL := help
.PHONY: help run test lint bench load venv

help:
	@echo "make run   - install, migrate, load demo data, start web + worker + beat on http://127.0.0.1:$(PORT)"
	@echo "make test  - run the whole test suite (DATABASE_URL / REDIS_URL select PostgreSQL and Redis)"
	@echo "make lint  - ruff check, ruff format --check and the import layers (import-linter)"
	@echo "make bench - seed 10,000 incidents in a throwaway database, time key pages and sweeps; writes var/bench.json"
	@echo "make load  - 50 users for 60 s against gunicorn on PostgreSQL (DATABASE_URL) and Redis; writes var/load.json"

venv: $(BIN)/.installed

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@python=""; \
	for candidate in $(PYTHON_CANDIDATES); do \
	  if $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	    python=$$candidate; break; \
	  fi; \
	done; \
	if [ -z "$$python" ]; then \
	  echo "BreachDesk needs Python 3.12 or newer (Django 6 does), and none was found" >&2; \
	  echo "among: $(PYTHON_CANDIDATES). Install one (for example 'pyenv install 3.12')" >&2; \
	  echo "and run make again." >&2; \
	  exit 1; \
	fi; \
	if ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	  echo "Creating $(VENV) with $$($$python --version)"; \
	  rm -rf $(VENV); \
	  $$python -m venv $(VENV) || exit 1; \
	fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@

run: export DEBUG ?= 1
# Links in notices (acknowledgement, calendar) point at the port served here;
# honcho gives each process its own PORT, so the web's is fixed for all three.
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: export PATH := $(CURDIR)/$(BIN):$(PATH)
run: export GUNICORN_CMD_ARGS ?= --reload
run: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  BreachDesk is starting on http://127.0.0.1:$(PORT)/"
	@echo "  Sign in as commander, responder, legal, viewer or admin; the password is: breachdesk"
	@echo "  Web, worker and beat run together (Procfile); press Ctrl-C to stop all three."
	@echo ""
	$(BIN)/honcho start --port $(PORT) --procfile Procfile

# One test process per core; tests sharing the Redis broker stay in one (conftest.py).
PYTEST_WORKERS ?= auto

test: venv
	$(BIN)/pytest --numprocesses $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# The bench builds its own data in a throwaway database (never DATABASE_URL's own)
# and fails when a page misses its target; DEBUG as for make run (seed_scale
# refuses to run without it). Its targets are for PostgreSQL at full size.
bench: export DEBUG ?= 1
bench: venv
	$(BIN)/python manage.py bench $(BENCH_ARGS)

# Locust headless against gunicorn (DEBUG off) on loopback, in a throwaway
# database beside DATABASE_URL's (never its own) and a redis-server of its own;
# fails when a target is missed. WEB_CONCURRENCY / WEB_THREADS size gunicorn.
load: venv
	$(BIN)/python loadtest/run.py
