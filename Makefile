# Two commands (see README): `make run` and `make test`. Both set everything up first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the requirements change.
$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

# Test-only npm packages (axe-core for tests/browser), reinstalled only when the lock changes.
node_modules/.installed: package.json $(wildcard package-lock.json)
	@command -v npm >/dev/null || { echo "npm is needed for the browser tests' axe-core: apt-get install -y npm" >&2; exit 1; }
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; \
	else npm install --no-audit --no-fund --loglevel=error; fi
	touch $@

run: setup
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-true} $(BIN)/daphne -v 0 -b $(HOST) -p $(PORT) tutoring.asgi:application

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint node_modules/.installed
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=tests.settings >/dev/null
	$(BIN)/pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .test-db.sqlite3* node_modules artifacts
