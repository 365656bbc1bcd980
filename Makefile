# article6: the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
A6 := $(BIN)/article6
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint format messages bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(BIN)/.installed node_modules/.installed
	@if command -v msgfmt >/dev/null 2>&1; then $(A6) compilemessages --verbosity 0; fi

## make run: install, create the SQLite database under var/, load the reference and the
## labelled sample data, print an administrator account and serve http://127.0.0.1:8000
run: install
	mkdir -p var
	$(A6) migrate --noinput --verbosity 0
	$(A6) load-reference
	$(A6) load-sample
	$(A6) ensure-admin
	DEBUG=true $(A6) runserver $(HOST):$(PORT)

## make test: install and run the whole suite (lint, migrations check, tests). Under CI with
## DATABASE_URL set to PostgreSQL, the treaty and registry tests run on SQLite as well.
test: install
	$(BIN)/ruff check article6 tests bench
	$(BIN)/ruff format --check article6 tests bench
	$(A6) makemigrations --check --dry-run --verbosity 0
	$(BIN)/pytest
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "Treaty and registry tests on the embedded SQLite database:"; \
		env -u DATABASE_URL $(BIN)/pytest -m sqlite_and_postgres; \
	fi

lint:
	$(BIN)/ruff check article6 tests bench

format:
	$(BIN)/ruff format article6 tests bench
	$(BIN)/ruff check --fix article6 tests bench

messages:
	cd article6 && ../$(A6) makemessages --all --ignore 'node_modules/*' && ../$(A6) makemessages --all -d djangojs --ignore 'node_modules/*'

bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/matching.py
	$(BIN)/python bench/assistance.py
	$(BIN)/python bench/reporting.py

clean:
	rm -rf $(VENV) node_modules var
