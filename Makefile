# kesu — one obvious way to do each thing. README, CI and developers use these targets.
# The interpreter .venv is made from: the system's Python 3 (a distribution build: Debian's is
# profile-guided and link-time optimised, with libpython linked in) when it is 3.11 or newer and
# has venv and ensurepip, else python3 from PATH. A default pyenv build (shared libpython, no
# PGO/LTO) runs the engine 8–13 % slower (docs/decisions/0008-interpreter.md). PYTHON=… overrides.
PYTHON ?= $(or $(shell for p in /usr/bin/python3 python3; do \
  $$p -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 \
  && { echo $$p; break; }; done),python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install compile browser run demo serve test lint typecheck pytest bench eval clean

## The venv, kesu in it, and the engine's compiled build (mypyc, ADR 0010; only rebuilt when a
## source changed; without a C compiler the engine runs from its Python sources, same results).
## Bytecode is written ahead too: where PYTHONDONTWRITEBYTECODE is set, Python would otherwise
## compile every module again at each start (~30 ms of CPU per `kesu analyze` from the sources).
install: $(STAMP)
	@$(BIN)/python tools/compile_engine.py
	@$(BIN)/python -m compileall -q kesu > /dev/null

compile: install

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Debian's chromium for the end-to-end browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

## Show the analysis engine at work on a handful of sample complaints.
demo: install
	$(BIN)/kesu analyze < examples/complaints.jsonl | $(BIN)/python -m kesu.analysis.pretty

## Fresh machine to running workbench: venv, install, engine demo, migrate, demo data, server.
run: demo serve

## The workbench: migrate, demo data (idempotent; prints the logins), server at http://127.0.0.1:8000
serve: install
	$(BIN)/kesu manage migrate --noinput
	$(BIN)/kesu seed-demo
	$(BIN)/kesu serve

lint: install
	$(BIN)/ruff check kesu tests benchmarks tools
	$(BIN)/ruff format --check kesu tests benchmarks tools

typecheck: install
	$(BIN)/mypy kesu/analysis kesu/knowledge kesu/cases/workflow.py kesu/cases/intake.py \
	  kesu/clocks/workdays.py kesu/clocks/rules.py kesu/clocks/compute.py kesu/clocks/specs.py \
	  kesu/routing/ladder.py kesu/routing/escalation.py kesu/routing/assign.py tools/compile_engine.py

pytest: install browser
	KESU_E2E_REQUIRED=1 $(BIN)/pytest -n 2
	@echo "The engine's tests again, from its Python sources (KESU_PURE_PYTHON=1):"
	KESU_PURE_PYTHON=1 $(BIN)/pytest -n 2 tests/analysis

test: lint typecheck pytest

## Speed and memory figures against the named baselines (see README).
bench: install
	$(BIN)/python benchmarks/bench_analysis.py
	$(BIN)/python benchmarks/bench_workbench.py
	$(BIN)/python benchmarks/bench_worker.py

## Accuracy on ../shared/data (k-fold), when present.
eval: install
	$(BIN)/python benchmarks/eval_accuracy.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache kesu/analysis/_compiled
