# ClaimDesk. `make run` starts everything on an embedded default; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Demo defaults for `make run` only; any of them can be overridden from the environment.
run: export DEBUG ?= true
run: export DEMO_MODE ?= true
run: export STAFF_2FA_REQUIRED ?= false
run: export WEB_PORT ?= 8000
run: export SITE_URL ?= http://127.0.0.1:$(WEB_PORT)
# Tooling that imports settings outside pytest needs either DEBUG or a SECRET_KEY.
DEV := DEBUG=true

.PHONY: run test lint format messages install migrate catalogues clean

$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required (PYTHON=$(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

catalogues: install
	$(DEV) $(PY) manage.py compile_catalogues

migrate: install
	$(DEV) $(PY) manage.py migrate --noinput

run: install
	$(PY) manage.py compile_catalogues
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py demo_accounts
	$(VENV)/bin/honcho start -f Procfile

test: install
	$(DEV) $(PY) manage.py compile_catalogues
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DEV) $(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports --no-cache
	$(DEV) $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DEV) $(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports --no-cache

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Regenerate both catalogues after changing user-facing strings (needs GNU gettext's xgettext).
messages: install
	$(DEV) $(PY) manage.py update_catalogues

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
