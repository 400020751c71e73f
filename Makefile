# The developer's front door. `make run` and `make test` need nothing but Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEV := DEBUG=1 DJANGO_SETTINGS_MODULE=klimaalliance.settings.base
PYTEST_ARGS ?= -n 2

.PHONY: install run test lint format messages compilemessages migrations check-migrations vendor bench bench-load clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# axe-core for the accessibility checks in the browser tests (skipped outside CI without npm).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: browser accessibility checks will be skipped"; fi

# Links in pages, mails and PDFs follow the port the server runs on (`make run PORT=8765`).
SITE_URL ?= http://127.0.0.1:$(PORT)

run: install
	$(DEV) SITE_URL=$(SITE_URL) $(BIN)/python manage.py migrate --noinput
	$(DEV) SITE_URL=$(SITE_URL) $(BIN)/python manage.py seed_demo
	@echo "Portal: $(SITE_URL)/  (Aalborg: $(SITE_URL)/aalborg/)"
	$(DEV) SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install node_modules/.installed
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Update the Danish catalogue from the source strings, then translate what is new.
messages: install
	$(DEV) $(BIN)/python manage.py makemessages -l da --no-location \
		--ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=media
	$(MAKE) compilemessages

compilemessages: install
	$(DEV) $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

migrations: install
	$(DEV) $(BIN)/python manage.py makemigrations

check-migrations: install
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run

# Copy Bootstrap and htmx from npm into static/vendor (committed; nothing loads from a CDN).
vendor:
	npm ci --no-audit --no-fund
	cp node_modules/bootstrap/dist/css/bootstrap.min.css* static/vendor/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* static/vendor/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/

# Benchmarks print their numbers; both need PostgreSQL and Redis on 127.0.0.1 (and wrk).
bench: install
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/8} $(BIN)/python bench/agreement_pdf.py
	$(BIN)/python bench/public_pages.py
	$(BIN)/python bench/staff_pages.py
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/8} $(BIN)/python bench/reports.py
	$(BIN)/python bench/charts.py
	$(BIN)/python bench/seal.py

# 64 connections for 60 s against public pages and the API; fails on any error (needs wrk).
bench-load: install
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 media
