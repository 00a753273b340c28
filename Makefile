# The two commands a new machine needs (Python 3.11 only): `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

SCAN_VENV := .venv-scan
SCAN_STAMP := $(SCAN_VENV)/.installed
SEMGREP := $(SCAN_VENV)/bin/semgrep scan --config scan/semgrep.yml --metrics=off --disable-version-check --quiet

.PHONY: run test lint scan clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)  ## serve on http://localhost:5000 (embedded database unless MONGODB_URI is set)
	$(BIN)/python wsgi.py

lint: $(STAMP)
	$(BIN)/flake8 gharbazaar tests wsgi.py

test: $(STAMP) lint  ## the whole suite, as CI runs it
	$(BIN)/python -m pytest $(PYTEST_ARGS)

$(SCAN_STAMP): requirements-scan.txt
	test -x $(SCAN_VENV)/bin/python || $(PYTHON) -m venv $(SCAN_VENV) || python3 -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/python -m pip install --quiet -r requirements-scan.txt
	touch $(SCAN_STAMP)

scan: $(STAMP) $(SCAN_STAMP)  ## bandit and semgrep (local rules), offline; fails on any finding
	$(BIN)/bandit -q -r gharbazaar wsgi.py
	$(SEMGREP) --error gharbazaar wsgi.py
	$(SEMGREP) --json scan/examples | $(BIN)/python scan/check_examples.py

clean:
	rm -rf $(VENV) $(SCAN_VENV) .data .pytest_cache
