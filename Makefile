# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install messages run test lint browser-deps clean-db lock stop-db

$(VENV)/.installed: requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	@touch $@

install: $(VENV)/.installed

# German and English catalogues, compiled with polib (no GNU gettext needed).
messages: install
	@$(PY) manage.py compile_translations

# Web at http://127.0.0.1:8000, a Celery worker and beat, with demo data. An embedded
# PostgreSQL starts when DATABASE_URL is unset; a filesystem broker when REDIS_URL is unset.
run: messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runall

# Debian's Chromium for the browser tests (Playwright never downloads a browser here).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; \
	  else \
	    echo "chromium is missing: browser tests will be skipped (sudo apt-get install chromium)"; \
	  fi; }

# The whole suite, browser tests included.
test: messages browser-deps
	DJANGO_SETTINGS_MODULE=backoffice.settings.test $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=backoffice.settings.test $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	DJANGO_ALLOWED_HOSTS=backoffice.example.com \
	SITE_URL=https://backoffice.example.com \
	DATABASE_URL=$${DATABASE_URL:-postgres://localhost/backoffice} \
	DJANGO_SETTINGS_MODULE=backoffice.settings.production \
	$(PY) manage.py check --deploy --fail-level WARNING

clean-db:
	rm -rf var/pg

# Re-resolve requirements.lock from pyproject.toml (uv's resolver, run from the venv).
lock: install
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra local --extra dev --python-version 3.11 -o requirements.lock

# Stop the embedded PostgreSQL (it also stops by itself when its last user exits).
stop-db: install
	$(PY) -m backoffice.embedded_db
