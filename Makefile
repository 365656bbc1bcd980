# article6: the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
A6 := $(BIN)/article6
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs on every core (pytest-xdist); TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto

.PHONY: run test install upgrade lint format messages bench bench-load bench-upgrade clean

# Everything is installed from the lock file, versions and hashes, so that a clone next
# year gets what CI tested; the project itself goes in last, without its dependencies.
$(BIN)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
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
	@# The worker sends the e-mails (printed here) and runs the uploads and big exports.
	DEBUG=true $(A6) worker --verbosity 0 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		DEBUG=true $(A6) runserver $(HOST):$(PORT)

## make test: install and run the whole suite (lint, migrations check, tests). Under CI with
## DATABASE_URL set to PostgreSQL, the treaty and registry tests run on SQLite as well.
test: install
	$(BIN)/ruff check article6 tests bench
	$(BIN)/ruff format --check article6 tests bench
	$(A6) makemigrations --check --dry-run --verbosity 0
	$(BIN)/pytest -n $(TEST_WORKERS)
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "Treaty and registry tests on the embedded SQLite database:"; \
		env -u DATABASE_URL $(BIN)/pytest -n $(TEST_WORKERS) -m sqlite_and_postgres; \
	fi

## make upgrade: re-lock every dependency at its newest allowed version (with hashes), then
## run the suite, which decides whether the upgrade is accepted. The locking tool lives in a
## virtual environment of its own, so that it never enters the project's.
upgrade:
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet --upgrade pip-tools
	$(VENV)-lock/bin/pip-compile --quiet --upgrade --generate-hashes --allow-unsafe --strip-extras \
		--extra test --all-build-deps --no-emit-index-url --no-emit-find-links \
		--output-file requirements.lock pyproject.toml
	$(MAKE) test

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
	$(MAKE) bench-load

## make bench-load: the load test (bench/load.py): `article6 serve` on the PostgreSQL database
## of DATABASE_URL, Locust at 1 and 32 clients reading, 16 writing, then 10× the sample data;
## about 8 minutes (BENCH_SECONDS a phase); writes bench/RESULTS.md.
BENCH_VENV := $(VENV)-bench
BENCH_SECONDS ?= 45
$(BENCH_VENV)/.installed: bench/locust.lock
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --require-hashes --no-deps -r bench/locust.lock
	touch $@

bench-load: install $(BENCH_VENV)/.installed
	$(BIN)/python bench/load.py --locust $(BENCH_VENV)/bin/locust --seconds $(BENCH_SECONDS)

## make bench-upgrade: re-lock the load generator (Locust, in .venv-bench, never in the
## project's lock file) at its newest version, with hashes.
bench-upgrade:
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet --upgrade pip-tools
	$(VENV)-lock/bin/pip-compile --quiet --upgrade --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links --output-file bench/locust.lock bench/locust.in
	sed -i '5s/.*/#    make bench-upgrade/' bench/locust.lock
	rm -f $(BENCH_VENV)/.installed

clean:
	rm -rf $(VENV) $(VENV)-lock $(VENV)-bench node_modules var
