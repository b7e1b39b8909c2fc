# Channel PRM. `make demo` and `make test` are all a new machine needs (Python 3.11+).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
# The Tryton ERP server started by the ERP-connector tests, in a virtualenv of its own.
TRYTON := $(TOOLS)/tryton
PY := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei gettext

.PHONY: help install demo test e2e bench lint format messages sysdeps assets stop clean tryton backup restore

help: ## List the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is required (found: $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --python $(PYTHON) --quiet
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || $(MAKE) --no-print-directory _apt PKGS="nodejs npm" WHAT="npm (Node.js)"
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

$(TRYTON)/.installed: tests/erp/tryton-requirements.txt
	$(PYTHON) -m venv $(TRYTON)
	$(TRYTON)/bin/pip install --quiet --disable-pip-version-check -r $<
	@touch $@

tryton: $(TRYTON)/.installed ## Install the Tryton ERP server the ERP-connector tests run against

install: $(VENV)/.installed node_modules/.installed sysdeps ## Create the virtualenv and install Python and front-end packages

assets: node_modules/.installed ## Install front-end assets (Bootstrap, htmx) from npm

sysdeps: ## Check system libraries (Pango and HarfBuzz subsetting for PDFs, a CJK font); install them when root
	@missing=""; \
	ldconfig -p | grep -q 'libpango-1.0.so' || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	fc-list 2>/dev/null | grep -qi 'WenQuanYi Micro Hei' || missing="$$missing fonts-wqy-microhei"; \
	ldconfig -p | grep -q 'libharfbuzz-subset.so' || missing="$$missing libharfbuzz-subset0"; \
	if [ -n "$$missing" ]; then $(MAKE) --no-print-directory _apt PKGS="$$missing" WHAT="$$missing"; fi

_apt:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing$(PKGS) with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(PKGS) >/dev/null; \
	else \
		echo "Missing $(WHAT): run 'sudo apt-get install -y$(PKGS)' (or your distribution's equivalent), then retry."; exit 1; \
	fi

demo: install ## Start embedded PostgreSQL/Redis, migrate, seed the demo vendor, run web+worker+beat
	DJANGO_SETTINGS_MODULE=prm.settings.dev $(PY) manage.py rundemo

test: install tryton ## Run the whole test suite against real PostgreSQL, Redis and a Tryton ERP
	DJANGO_SETTINGS_MODULE=prm.settings.test $(PY) -m pytest --ignore=tests/e2e

CHROMIUM ?= /usr/bin/chromium
E2E_DB ?= test_prm_e2e

# The test database is kept between runs (--reuse-db): only the first run migrates one.
e2e: install ## Browser journeys (docs/e2e.md): the demo vendor served by gunicorn, clicked through in chromium
	@[ -x $(CHROMIUM) ] || $(MAKE) --no-print-directory _apt PKGS=" chromium" WHAT="chromium"
	PRM_TEST_DB=$(E2E_DB) PRM_E2E_CHROMIUM=$(CHROMIUM) DJANGO_SETTINGS_MODULE=prm.settings.test \
		$(PY) -m pytest tests/e2e --reuse-db

SCALE ?= small

bench: install ## Benchmarks (SCALE=small|medium|large): generate the data once, run every scenario, write the table
	DJANGO_SETTINGS_MODULE=prm.settings.bench $(PY) manage.py bootstrap
	DJANGO_SETTINGS_MODULE=prm.settings.bench $(PY) manage.py run_bench --scale $(SCALE)

backup: $(VENV)/.installed ## Dump one vendor to .data/backups/ (TENANT=slug)
	$(PY) manage.py backup_tenant --tenant $(TENANT)

restore: $(VENV)/.installed ## Restore a dump as a NEW vendor (TENANT=slug [AS=newslug], or FILE=path.sql AS=newslug)
	$(PY) manage.py restore_tenant $(if $(FILE),--file $(FILE),--tenant $(TENANT)) $(if $(AS),--as $(AS))

lint: $(VENV)/.installed ## ruff (lint + format check) and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=prm.settings.test $(VENV)/bin/mypy .

format: $(VENV)/.installed ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: $(VENV)/.installed ## Refresh and compile the translation catalogs
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=.tools --ignore=node_modules --ignore=.data --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv --ignore=.tools --ignore=node_modules

stop: $(VENV)/.installed ## Stop embedded PostgreSQL and Redis left running by a crashed process
	$(PY) -c 'import os, pathlib; from prm import embedded; embedded.stop_all(pathlib.Path(os.environ.get("PRM_DATA_DIR", ".data")))'

clean: stop ## Remove the virtualenvs, node_modules and the embedded data (asks first)
	@read -p "Delete .venv, .tools, node_modules and ALL embedded data in .data? [y/N] " a; [ "$$a" = y ]
	rm -rf $(VENV) $(TOOLS) node_modules .data
