# Centrale Operativa di Distretto
#   make demo   create .venv if missing, install, migrate, seed the demo district, serve on :8000
#   make test   create .venv if missing, install; install Chromium, start PostgreSQL and Redis and create the
#               test database when missing (.ci/setup); lint, type-check, import contract, tests (a test that
#               needs a service fails rather than skips)
#   make sbom   the CycloneDX SBOM of requirements.lock in dist/sbom.cdx.json

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test setup lint typecheck contracts pytest bench sbom clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/centrale demo --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

setup:
	bash .ci/setup

# one test process per core (each with its own database and Redis db, see tests/conftest.py); a module's
# tests stay together on one process
PYTEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)

pytest: $(STAMP)
	CENTRALE_TEST_REQUIRE_SERVICES=$${CENTRALE_TEST_REQUIRE_SERVICES:-1} $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

test: setup lint typecheck contracts pytest

# the software bill of materials of what the image installs (requirements.lock), CycloneDX JSON
SBOM ?= dist/sbom.cdx.json
sbom: $(STAMP)
	mkdir -p $(dir $(SBOM))
	$(BIN)/cyclonedx-py requirements requirements.lock --pyproject pyproject.toml --output-reproducible -o $(SBOM)

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
