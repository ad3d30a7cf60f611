# districtsim: `make run` installs into .venv and runs the default city; `make test` runs lint and tests.
# Python: the version in .python-version (3.12, via pyenv), or python3.12/python3 if that is 3.12+.
PY ?= $(shell (command -v pyenv >/dev/null 2>&1 && pyenv which python3 2>/dev/null) || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

CHROMIUM ?= /usr/bin/chromium

.PHONY: install run test lint bench browser golden

$(STAMP): pyproject.toml
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "districtsim needs Python 3.12+; found " + sys.version.split()[0] + " at $(PY). Install it (pyenv install 3.12) or run: make PY=/path/to/python3.12")'
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,ema]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/districtsim run $(ARGS)

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

test: lint
	$(BIN)/python -m pytest -W error -q -n 2 --dist loadfile

# Regenerate the golden baseline (tests/golden/baseline.json) after an intended model change.
golden: install
	$(BIN)/python tests/test_golden.py --write

bench: install
	$(BIN)/python experiments/benchmarks/bench_run.py

# Debian's chromium for the browser tests (tests/test_browser.py; skipped without it, except in CI).
browser:
	@test -x $(CHROMIUM) || { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; else echo "districtsim: the browser tests need Debian's chromium at $(CHROMIUM) (sudo apt-get install chromium); without it they are skipped"; fi; }
