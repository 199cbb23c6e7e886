# Two commands for a fresh machine: `make book` and `make test`.
# Each creates .venv from the pinned requirements.txt and installs the project.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export OMP_NUM_THREADS ?= 1
export PYTHONHASHSEED := 0

.PHONY: book test venv release release-check validate clean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build --warningiserror --nitpick --keep-going .

test: $(STAMP)
	$(BIN)/python -m pytest

release: $(STAMP)
	$(BIN)/python -m autograder release

release-check: $(STAMP)
	$(BIN)/python -m autograder release --check

validate: $(STAMP)
	$(BIN)/python -m autograder validate

clean:
	rm -rf _build
