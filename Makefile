# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DB ?= claims.db

.PHONY: demo test install clean

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

test: $(STAMP)
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) $(DB) $(DB)-wal $(DB)-shm *.egg-info
