# BARO developer commands. `make run` and `make test` work on a fresh clone.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev run dev migrate seed test lint format bench bench-orders clean \
	cluster cluster-down cluster-status cluster-install

# The shop alone (make run); the tools on top of it (make test, lint, bench).
$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# axe-core for the accessibility tests comes from the npm registry (tests/browser/package.json);
# without npm those tests are skipped, saying why.
$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt tests/browser/package-lock.json
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@if command -v npm >/dev/null 2>&1; then \
	  echo "npm ci --prefix tests/browser"; \
	  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error; \
	else \
	  echo "npm not found: the accessibility tests will be skipped (install Node.js and npm, then: npm ci --prefix tests/browser)"; \
	fi
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo --if-empty

# The job worker (order confirmations) runs beside the web server and stops with it.
run: seed
	$(PY) manage.py backend
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py run_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	  $(VENV)/bin/gunicorn baro.wsgi:application --bind $(HOST):$(PORT)

dev: seed
	$(PY) manage.py backend
	$(PY) manage.py run_worker --reload & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

test: install-dev
	$(PY) manage.py backend
	$(PY) -m pytest

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Load benchmarks: PostgreSQL and Redis on loopback (BENCH_DATABASE_URL, BENCH_REDIS_URL).
USERS ?= 500
SPAWN_RATE ?= 20
DURATION ?= 180
CLUSTER ?=
bench: install-dev $(if $(CLUSTER),cluster-install)
	$(PY) apps/bench/load/bench.py --users $(USERS) --spawn-rate $(SPAWN_RATE) --duration $(DURATION) \
	  $(if $(CLUSTER),--cluster)

bench-orders: install-dev
	$(PY) apps/bench/load/orders.py --buyers 50 --seconds 20

# Several hosts' worth of BARO on loopback (deploy/cluster.py): HAProxy over three app
# nodes, PgBouncer, a streaming replica, Redis with three Sentinels. Debian's packages.
CLUSTER_PROGRAMS := haproxy pgbouncer redis-server redis-sentinel pg_basebackup
cluster-install:
	@missing=$$(for p in $(CLUSTER_PROGRAMS); do command -v $$p >/dev/null 2>&1 || \
	  ls /usr/lib/postgresql/*/bin/$$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  echo "installing Debian's haproxy pgbouncer redis-server redis-sentinel postgresql"; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq \
	    haproxy pgbouncer redis-server redis-sentinel postgresql >/dev/null; \
	fi

cluster: install cluster-install
	$(PY) deploy/cluster.py up

cluster-status: install
	$(PY) deploy/cluster.py status

cluster-down: install
	$(PY) deploy/cluster.py down

clean:
	rm -rf staticfiles .pytest_cache .ruff_cache
