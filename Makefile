# Story Bank: two commands do all set-up. See README.md.
#   make run   - install, migrate, load the catalogue, serve http://127.0.0.1:8000
#   make test  - install with the development extras, run lint + migration check + the whole suite

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# A local checkout may run without SECRET_KEY (a fixed development key is used;
# never in production, where DEBUG is off and SECRET_KEY is required).
export STORYBANK_LOCAL := true
# `make run` is a development server unless told otherwise; tests keep the
# production defaults (DEBUG off) so that they check what production does.
RUN_DEBUG ?= $(if $(DEBUG),$(DEBUG),true)

.PHONY: run test lint install install-dev migrate demo bench clean-db superuser

# The stamp files make the second run fast: pip only runs again when pyproject.toml changes.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --editable .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --editable '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable

run: migrate
	@echo ""
	@echo "  Story Bank is running at http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@echo ""
	DEBUG=$(RUN_DEBUG) $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

test: lint
	env -u DEBUG $(BIN)/pytest

demo: migrate
	$(BIN)/python manage.py load_demo

superuser: migrate
	$(BIN)/python manage.py createsuperuser

# Load benchmark against its own database (var/bench-postgres); see bench/README.md.
BENCH_SECONDS ?= 20
bench: install-dev
	BENCH_SECONDS=$(BENCH_SECONDS) $(BIN)/python bench/run.py

clean-db:
	@if [ -x $(BIN)/python ]; then $(BIN)/python config/embedded_postgres.py stop var/postgres; fi
	rm -rf var/postgres
