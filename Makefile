# Two commands on a fresh machine: `make run` (demo on the sample data) and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
# a loaded machine can take more than the default 20 s to start the ephemeral Prefect server
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 120

.PHONY: run test install lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# CPU torch first (from this machine's disk), so nothing pulls a CUDA build
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install
	$(VENV)/bin/verbatim run --config data/sample/verbatim.toml --as-of 2026-11-20

test: install
	$(PY) -m pytest -q tests

lint: install
	$(VENV)/bin/ruff check verbatim flows tests benchmarks

bench: install
	$(PY) benchmarks/bench_ingest.py

clean:
	rm -rf $(VENV) data/sample/var data/sample/out .pytest_cache
