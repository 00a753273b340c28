# The two commands a new machine needs (Python 3.11 only): `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint clean

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

clean:
	rm -rf $(VENV) .data .pytest_cache
