# Story Bank: two commands do all set-up. See README.md.
#   make run   - install from uv.lock, migrate, load the catalogue, serve http://127.0.0.1:8000
#   make test  - install from uv.lock, run lint + lock and migration checks + the whole suite
#   make lock  - refresh uv.lock on purpose (the only way versions ever change)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# uv itself is installed, pinned and hash-checked, into a small virtualenv of its own.
UV_VENV := .venv-uv
UV := $(UV_VENV)/bin/uv
HOST ?= 127.0.0.1
PORT ?= 8000
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
# `make run` is a development server unless told otherwise; tests keep the
# production defaults (DEBUG off) so that they check what production does.
RUN_DEBUG ?= $(if $(DEBUG),$(DEBUG),true)

.PHONY: run test lint install migrate demo bench bench-import bench-delivery bench-planner coach-eval scope-eval lock clean-db superuser

$(UV): requirements/uv.txt
	$(PYTHON) -m venv $(UV_VENV)
	$(UV_VENV)/bin/pip install --quiet --require-hashes --no-deps -r requirements/uv.txt
	touch $@

# --locked: install exactly what uv.lock says (hashes checked) and stop with an
# error when pyproject.toml and uv.lock disagree, instead of resolving anew.
# The stamp makes the second run fast: uv runs again only when the lock changes.
$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	@$(UV) sync --locked --python $(PYTHON) --quiet || { \
	  echo "uv.lock does not match pyproject.toml: run 'make lock', then 'make test'." >&2; exit 1; }
	touch $@

# A random SECRET_KEY for this checkout, so manage.py works as printed in the README.
.env:
	$(PYTHON) config/local_env.py $@

install: $(VENV)/.synced .env

lock: | $(UV)
	$(UV) lock --upgrade
	$(UV) pip compile requirements/uv.in --generate-hashes --universal --python-version 3.11 \
	  --no-header --quiet -o requirements/uv.txt

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable

run: migrate
	@echo ""
	@echo "  Story Bank is running at http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@echo ""
	@# The task worker (the recordings' analysis, django-tasks' db_worker) runs next
	@# to the server. Both run in the background of this shell, which waits: Ctrl-C
	@# or the SIGTERM make passes on reaches the trap, which sends SIGTERM to both,
	@# so each leaves the embedded PostgreSQL cleanly; when the server stops, so
	@# does the worker. (POSIX sh: a trapped signal interrupts `wait`.)
	@env DEBUG=$(RUN_DEBUG) $(BIN)/python manage.py db_worker --no-reload --verbosity 1 & worker=$$!; \
	env DEBUG=$(RUN_DEBUG) $(BIN)/python manage.py runserver $(HOST):$(PORT) & server=$$!; \
	trap 'kill -TERM $$server $$worker 2>/dev/null' INT TERM; \
	wait $$server; status=$$?; \
	kill -TERM $$server $$worker 2>/dev/null; wait; exit $$status

lint: install
	$(UV) lock --check --quiet
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

test: lint
	env -u DEBUG $(BIN)/pytest

demo: migrate
	$(BIN)/python manage.py load_demo

superuser: migrate
	$(BIN)/python manage.py createsuperuser

# The coach's precision and recall per red flag on the labelled corpus (no database).
coach-eval: install
	$(BIN)/python bench/coach_eval.py

# The scope rules' accuracy, overall and per level, on the tuning and blind sets (no database).
scope-eval: install
	$(BIN)/python bench/scope_eval.py

# Load benchmark against its own database (var/bench-postgres); see bench/README.md.
BENCH_SECONDS ?= 20
# `make bench` ends with the import row (2,000 stories); `make bench-import` runs only that.
bench: install
	BENCH_SECONDS=$(BENCH_SECONDS) $(BIN)/python bench/run.py
	$(BIN)/python bench/import_bench.py

# 2,000 stories (the import cap) through the JSON and CSV import pages; see bench/import_bench.py.
bench-import: install
	$(BIN)/python bench/import_bench.py

# A three-minute spoken answer through the delivery analysis; fails above 2 s (bench/README.md).
bench-delivery: install
	$(BIN)/python bench/delivery.py

# The loop planner on 100 stories against 15 slots; fails above 50 ms (bench/planner.py).
bench-planner: install
	$(BIN)/python bench/planner.py

clean-db:
	@if [ -x $(BIN)/python ]; then $(BIN)/python config/embedded_postgres.py stop var/postgres; fi
	rm -rf var/postgres
