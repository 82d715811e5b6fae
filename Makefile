# Mayors in Action: `make run` serves the platform, `make test` runs every test.
VENV   ?= .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app app
PORT   ?= 5000
PYTHON ?= python3

.PHONY: run test install translations messages lint unit e2e clean

$(VENV)/.installed: setup.cfg constraints.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e ".[test]"
	touch $@

install: $(VENV)/.installed

translations: install
	$(PY) tools/i18n.py compile

messages: install  ## extract new strings into every catalogue (then translate them)
	$(PY) tools/i18n.py update

run: export FLASK_PUBLIC_URL ?= http://127.0.0.1:$(PORT)
run: translations
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty --logins-file instance/demo-logins.txt
	@echo; echo "Mayors in Action on http://127.0.0.1:$(PORT)"; cat instance/demo-logins.txt 2>/dev/null || true; echo
	FLASK_SCHEDULER_IN_PROCESS=true FLASK_SESSION_COOKIE_SECURE=false FLASK_REMEMBER_COOKIE_SECURE=false \
	  $(FLASK) run --host 127.0.0.1 --port $(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(PY) tools/i18n.py check

test: translations lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

unit: translations  ## everything but the live server and the browser: the quick loop
	$(VENV)/bin/pytest -m "not live and not e2e" $(PYTEST_ARGS)

e2e: translations  ## the browser journeys (Debian chromium) against a live gunicorn
	$(VENV)/bin/pytest -m e2e $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
