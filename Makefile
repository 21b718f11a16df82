# Two commands on a fresh machine: `make run` and `make test`. Each creates what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test wheel-check lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/tui-tutor $(ARGS)

test: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/mypy --strict -p tui_tutor.engine
	$(BIN)/mypy
	$(BIN)/tui-tutor lessons coverage
	$(BIN)/python -m pytest
	$(BIN)/python tests/wheel_check.py

# an ordinary (non-editable) install, used from outside the checkout, must find the lessons
wheel-check: $(VENV)/.test-installed
	$(BIN)/python tests/wheel_check.py

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.test-installed
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
