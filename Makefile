# The two set-up commands: `make demo` and `make test`. Both are idempotent:
# the venv and the installs are redone only when pyproject.toml changes.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
# Engines whose lamina backend has landed; `make test` runs the suite once per engine.
ENGINES ?= tensorflow jax torch numpy pytensor
PYTEST_ARGS ?=
# Engine passes run side by side, one per core by default; JOBS=1 streams them in turn.
JOBS ?=

.PHONY: demo test lint bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.demo-installed: pyproject.toml | $(PY)
	$(PIP) -e ".[tensorflow-cpu,demo]"
	touch $@

$(VENV)/.dev-installed: pyproject.toml requirements-dev.txt | $(PY)
	$(PIP) -r requirements-dev.txt -e ".[tensorflow-cpu,jax,torch,pytensor,numpy,dev]"
	touch $@ $(VENV)/.demo-installed

demo: $(VENV)/.demo-installed
	$(VENV)/bin/lamina demo

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check src tests bench tools

test: $(VENV)/.dev-installed lint
	$(PY) tools/test_engines.py $(if $(JOBS),--jobs $(JOBS)) $(ENGINES) -- $(PYTEST_ARGS)

bench: $(VENV)/.dev-installed
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .ruff_cache
