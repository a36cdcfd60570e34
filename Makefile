# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
ML_STAMP := $(VENV)/.ml-stamp
DB ?= claims.db

.PHONY: demo test install browser serve bench clean

install: $(STAMP)

# (Re)create the virtualenv and install the project whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/claims ingest corpus/ --db $(DB)
	$(BIN)/claims crosscheck --db $(DB)
	$(BIN)/claims summary --db $(DB)
	$(BIN)/claims report --db $(DB)

# The ml extra (extract/ner.py, tests/test_ner.py) for the tests only: torch pinned first (a CPU
# build from the local wheel), so transformers' "torch>=2.0" installs nothing more; skipped when
# torch already imports. Redone whenever the main install is.
$(ML_STAMP): $(STAMP)
	$(BIN)/python -c 'import torch' 2>/dev/null || $(BIN)/python -m pip install --quiet --disable-pip-version-check torch==2.13.0
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,ml]'
	touch $(ML_STAMP)

test: $(ML_STAMP) browser
	$(BIN)/pytest -q

# Debian's Chromium, driven by Playwright in tests/test_datasette.py (no `playwright install`).
# Installed with apt-get only when /usr/bin/chromium is missing (CI runs as root).
CHROMIUM := /usr/bin/chromium
browser:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	elif command -v sudo >/dev/null; then \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	else \
		echo "warning: $(CHROMIUM) missing and not root: the browser tests will be skipped"; \
	fi

# Batch-ingest benchmark (not part of `make test`): 10,000 synthetic articles, 1 and 2 workers,
# re-run, kill -9 + resume, Dask, against Microsoft Recognizers-Text; see evaluation/bench.py.
BENCH_STAMP := $(VENV)/.bench-stamp
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m evaluation.bench $(BENCH_ARGS)

# Browse the demo database in Datasette (read-only) at http://127.0.0.1:8001/
serve: $(STAMP)
	$(BIN)/claims serve --db $(DB)

clean:
	rm -rf $(VENV) $(DB) $(DB)-wal $(DB)-shm *.egg-info
