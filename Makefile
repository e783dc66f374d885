# Cobalt: `make run` starts the app; `make test` runs every test (logic, pages, browser).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501

.PHONY: run test lint browser nginx bench clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	mkdir -p var
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.headless true

browser:
	bash scripts/ensure-browser.sh

nginx:
	bash scripts/ensure-nginx.sh

lint: $(VENV)/.dev
	$(PY) -m ruff check .

test: $(VENV)/.dev browser nginx lint
	$(PY) -m pytest

# what a user feels, as ratios to a bare Streamlit page (about 10 minutes; asserts nothing)
bench: $(VENV)/.dev browser
	PYTHONPATH=. $(PY) scripts/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache   # var/ holds the case database: never removed here
