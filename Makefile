# Docket developer commands. `make help` lists them.
# Needs GNU make and python3 (3.11+); everything else is installed into .venv by `make .venv`.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-stamp

# Extra arguments for pytest, e.g. `make test PYTEST_ARGS="-k timeline -x"`.
PYTEST_ARGS ?=
# The real servers for `make test-services` (override on the command line or in the environment).
SERVICES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/docket
SERVICES_BROKER_URL ?= redis://127.0.0.1:6379/0

# The embedded default: a developer's DATABASE_URL / CELERY_BROKER_URL must not leak into it.
EMBEDDED := env -u DATABASE_URL -u CELERY_BROKER_URL DOCKET_IGNORE_DOTENV=1
# Processes started from the Procfile find manage.py's python, celery and honcho in the venv.
VENV_PATH := PATH="$(CURDIR)/$(BIN):$$PATH"

# mypy refuses a folder without Python files, so only those that have some are named.
MYPY_TARGETS := manage.py $(foreach d,compliance directives tests bench,$(if $(shell find $(d) -name '*.py' -print -quit 2>/dev/null),$(d)))

.PHONY: help .venv venv run test test-services lint format typecheck migrations-check check-deploy bench clean distclean

help: ## List the targets
	@echo "Docket: make <target>"
	@grep -hE '^[a-zA-Z_.-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "} {printf "  %-18s %s\n", $$1, $$2}'

# --- environment ------------------------------------------------------------------------------

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

.venv: $(STAMP) ## Create .venv and install the pinned requirements (reruns when they change)

venv: .venv

# --- running ----------------------------------------------------------------------------------

run: .venv ## Migrate, load the demo, then web (http://127.0.0.1:8000) + worker + beat; Ctrl-C stops all
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	@echo "Starting web on http://127.0.0.1:8000, a Celery worker and beat. Ctrl-C stops all three."
	$(VENV_PATH) PYTHONUNBUFFERED=1 $(BIN)/honcho start -f Procfile

# --- checks -----------------------------------------------------------------------------------

# Each test run keeps its cache, broker folder and scratch files in a var/ folder of its own, removed after
# it: two runs side by side (CI runs both suites at once), or a run beside `make run`, never share them.
TEST_VAR = d=$$(mktemp -d -t docket-test-var.XXXXXX) && trap 'rm -rf "$$d"' EXIT && DOCKET_VAR_DIR="$$d" \
	CACHE_URL=

test: .venv ## Run the whole suite on the embedded default (SQLite, filesystem broker)
	$(TEST_VAR) $(EMBEDDED) $(VENV_PATH) $(BIN)/pytest $(PYTEST_ARGS)

# On PostgreSQL the suite runs as the runtime role (tests/db_roles.py): migrations as an owner role, every
# test as a role that may only read and append to the timeline.
test-services: .venv ## Run the whole suite on PostgreSQL + Redis (SERVICES_DATABASE_URL, SERVICES_BROKER_URL)
	$(TEST_VAR) $(VENV_PATH) DATABASE_URL="$(SERVICES_DATABASE_URL)" CELERY_BROKER_URL="$(SERVICES_BROKER_URL)" \
		DOCKET_REQUIRE_SERVICES=1 DOCKET_TEST_DB_ROLES=1 $(BIN)/pytest $(PYTEST_ARGS)

lint: .venv ## ruff check + ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: .venv ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: .venv ## mypy with django-stubs and djangorestframework-stubs
	$(EMBEDDED) $(BIN)/mypy $(MYPY_TARGETS)

migrations-check: .venv ## Fail if the models have changes without a migration
	$(EMBEDDED) $(PY) manage.py makemigrations --check --dry-run

# Production settings with throwaway secrets: only the checks see them. With DEPLOY_DATABASE_URL (the
# runtime role's PostgreSQL URL) the checks also refuse a role that owns the timeline or may change it.
DEPLOY_DATABASE_URL ?=
check-deploy: .venv ## manage.py check --deploy with production settings, warnings are failures
	$(EMBEDDED) $(if $(DEPLOY_DATABASE_URL),DATABASE_URL="$(DEPLOY_DATABASE_URL)") DJANGO_DEBUG=false \
		DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(60))')" \
		DOCKET_CHECKPOINT_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(48))')" \
		DJANGO_ALLOWED_HOSTS=docket.example.com DOCKET_BASE_URL=https://docket.example.com \
		$(PY) manage.py check --deploy --fail-level WARNING

bench: .venv ## Run the benchmarks (bench/run.py), if written
	@if [ -f bench/run.py ]; then $(VENV_PATH) $(PY) bench/run.py; else echo "bench/run.py does not exist yet: nothing to run"; fi

# --- housekeeping -----------------------------------------------------------------------------

clean: ## Remove caches and test output (keeps .venv and the demo data in var/)
	rm -rf .pytest_cache .mypy_cache .ruff_cache test-results staticfiles .coverage htmlcov
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean ## Also remove .venv and var/ (the demo database, broker files, uploaded evidence)
	rm -rf $(VENV) var
