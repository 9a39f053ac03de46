# BARO developer commands. `make run` and `make test` work on a fresh clone.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run dev migrate seed test lint format clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo --if-empty

run: seed
	$(PY) manage.py backend
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(VENV)/bin/gunicorn baro.wsgi:application --bind $(HOST):$(PORT)

dev: seed
	$(PY) manage.py backend
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) manage.py backend
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf staticfiles .pytest_cache .ruff_cache
