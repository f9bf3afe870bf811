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

# The environment comes from the committed lock files (README, "Dependencies"): uv installs exactly those
# versions, every file checked against its recorded hash. uv itself is bootstrapped with pip from its own
# hash-pinned file; pip is not used after that.
UV := $(VENV)/bin/uv
LOCK := requirements-dev.txt
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --custom-compile-command "make lock" --quiet

.PHONY: run test lint format messages install migrate catalogues clean lock test-sqlite bench

$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required (PYTHON=$(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(UV): requirements-uv.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-uv.txt
	@touch $(UV)

$(STAMP): $(LOCK) | $(UV)
	$(UV) pip sync --quiet --python $(PY) --require-hashes $(LOCK)
	@touch $(STAMP)

install: $(STAMP)

catalogues: install
	$(DEV) $(PY) manage.py compile_catalogues

migrate: install
	$(DEV) $(PY) manage.py migrate --noinput

# One Django start-up instead of four (each costs seconds): catalogues, migrations, demo data, demo accounts.
define PREPARE_DEMO
from django.core.management import call_command
from django.utils.translation import trans_real
call_command("compile_catalogues")
trans_real._translations = {}  # read the catalogues just compiled
call_command("migrate", interactive=False)
call_command("seed_demo")
call_command("demo_accounts")
endef
export PREPARE_DEMO

run: install
	$(PY) manage.py shell --no-imports --command "$$PREPARE_DEMO"
	$(VENV)/bin/honcho start -f Procfile

# pytest runs in PYTEST_WORKERS processes (pytest-xdist; 2 measured best on the 2-core reference machine).
# Each worker has its own test database (test_<name>_gw0, ...), Redis database (the URL's number + the
# worker's: /1 and /2 for CELERY_BROKER_URL=redis://.../1) and var/ folder (helpdesk/settings_test.py).
# PYTEST_WORKERS=0 runs in this process; PYTEST_ARGS are passed last, so "-n 4" there wins as well.
PYTEST_WORKERS ?= 2
PYTEST_PARALLEL := -n $(PYTEST_WORKERS)

test: install
	$(DEV) $(PY) manage.py compile_catalogues
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DEV) $(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports --no-cache
	$(DEV) $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

# The suite on the embedded default `make run` uses (SQLite, in-memory broker): the same tests minus the
# browser tests and those that need a real PostgreSQL or Redis (marked `services`).
test-sqlite: install
	env -u DATABASE_URL -u TEST_DATABASE_URL -u CELERY_BROKER_URL -u CACHE_URL -u REQUIRE_SERVICES \
	  $(VENV)/bin/pytest --ignore=tests/e2e -m "not services" $(PYTEST_PARALLEL) $(PYTEST_ARGS)

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

# Every bench on throwaway databases (created and dropped), one summary table at the end; small sizes by
# default (~10-15 min on 2 cores), BENCH_FULL=1 for the issues' sizes, BENCH_ONLY=queue,http for a subset.
bench: install
	$(PY) -m bench.run_all

# Re-resolve the lock files after editing pyproject.toml's dependencies: versions already locked are kept
# unless pyproject no longer allows them (UPGRADE=1 moves everything to the newest allowed versions).
lock: | $(UV)
	$(UV) pip compile pyproject.toml --extra dev $(LOCK_FLAGS) $(if $(UPGRADE),--upgrade) -o requirements-dev.txt
	$(UV) pip compile pyproject.toml -c requirements-dev.txt $(LOCK_FLAGS) -o requirements.txt
	sed -n 's/^uv==\([^ ]*\).*/uv==\1/p' requirements-dev.txt \
	  | $(UV) pip compile - $(LOCK_FLAGS) -o requirements-uv.txt

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
