# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck pytest bench clean docs screenshot

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.demo-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.demo-installed

demo: $(VENV)/.demo-installed
	$(BIN)/python examples/demo.py

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check jobkit tests benchmarks examples tools
	$(BIN)/ruff format --check jobkit tests benchmarks examples tools

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

# Two workers (pytest-xdist); a test module stays on one worker, so its module-scoped servers
# start once. PYTEST_WORKERS=0 runs the suite in one process.
PYTEST_WORKERS ?= 2
pytest: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadscope

test: lint typecheck pytest docs

# Offline build of the docs; --strict turns broken links and nav gaps into failures.
docs: $(VENV)/.dev-installed
	$(BIN)/mkdocs build --strict --quiet

# docs/img/joblist.png from the executed quickstart (needs headless Chromium: apt-get install chromium).
screenshot: $(VENV)/.dev-installed
	$(BIN)/python tools/notebook_screenshot.py

bench: $(VENV)/.dev-installed
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
