# Hybrid Calendar: `make demo` runs the service on one laptop, `make dev` wires it to the emulator to drive by hand;
# `make test` is what CI runs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv test lint fmt typecheck pytest infra-check demo dev cloud bench soak clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check shared functions emulator main.py
	$(BIN)/lint-imports

fmt: venv
	$(BIN)/ruff format shared functions emulator main.py tests bench
	$(BIN)/ruff check --fix .

typecheck: venv
	$(BIN)/mypy

pytest: venv
	$(BIN)/pytest -q

infra-check:
	bash infra/check.sh

test: lint typecheck pytest infra-check

demo: venv
	$(BIN)/hybrid-calendar demo

dev: venv
	$(BIN)/hybrid-calendar dev

cloud: venv
	$(BIN)/python -m tests.cloud.harness

bench: venv
	$(BIN)/python -m bench.run

soak: venv
	$(BIN)/python -m bench.soak

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
