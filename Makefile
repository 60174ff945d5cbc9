# `make run` and `make test` are the two commands of the README; everything else supports them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
PORT   ?= 5000
MO_FILES := $(patsubst %.po,%.mo,$(wildcard crm/translations/*/LC_MESSAGES/messages.po))

.PHONY: run test install install-dev browser imap-server translations extract-messages db lint bench-deps clean

run: install translations db  ## Start web app, worker and scheduler on embedded SQLite + Redis
	$(FLASK) crm seed-demo --if-empty
	$(FLASK) crm run-all --port $(PORT)

test: install-dev translations browser imap-server  ## Install what the tests need and run the whole suite
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

# The browser journeys drive Debian's chromium (Playwright's own browser download is not reachable here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; }

# The mail-capture tests start Debian's dovecot (IMAP) in a temporary directory of their own.
imap-server:
	@command -v /usr/sbin/dovecot >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends dovecot-imapd; }

install-dev: $(VENV)/.installed-dev

translations: $(MO_FILES)  ## Compile the Flask-Babel catalogs (.mo files are build output)

# A file rule, so that two `make test` started together (CI's two databases) do not rewrite a catalog
# while the other's tests read it: once compiled, the .mo is newer than its .po and left alone.
crm/translations/%/LC_MESSAGES/messages.mo: crm/translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile -f -l $* -d crm/translations

extract-messages: install  ## Refresh the catalogs after adding user-visible strings
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o crm/translations/messages.pot .
	$(BIN)/pybabel update -N --ignore-obsolete -i crm/translations/messages.pot -d crm/translations

db: install
	$(FLASK) db upgrade

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench-deps:  ## The load tool (Locust) in its own virtualenv
	test -x .venv-bench/bin/locust || { $(PYTHON) -m venv .venv-bench && .venv-bench/bin/pip install -q -r bench/requirements.txt; }

clean:
	rm -rf $(VENV) instance .pytest_cache
