# Two commands for a fresh machine: `make book` and `make test`.
# Each creates .venv from the pinned requirements.txt and installs the project.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export OMP_NUM_THREADS ?= 1
export PYTHONHASHSEED := 0

SYSTEM_PACKAGES := chromium bubblewrap

.PHONY: book test lint venv system-deps solutions release release-check validate benchmark clean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build --warningiserror --nitpick --keep-going .

test: $(STAMP) system-deps lint
	$(BIN)/python -m pytest

# Lint and types (configured in pyproject.toml); `make test` runs them first.
lint: $(STAMP)
	$(BIN)/ruff check autograder tests benchmarks
	$(BIN)/mypy

# Debian's Chromium (browser tests) and bubblewrap (the grader's sandbox). Installed when
# missing and we are root; otherwise the tests that need them fail and say what to install.
system-deps:
	@missing=""; command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v bwrap >/dev/null || missing="$$missing bubblewrap"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "warning: please install$$missing (Debian packages: $(SYSTEM_PACKAGES))"; fi; \
	fi

# Re-execute the solution notebooks and store their outputs (nbval compares them), then
# regenerate the student notebooks: run after editing a solution or an exercise's declaration.
solutions: $(STAMP)
	$(BIN)/python -m autograder.notebook.execute
	$(BIN)/python -m autograder release

release: $(STAMP)
	$(BIN)/python -m autograder release

release-check: $(STAMP)
	$(BIN)/python -m autograder release --check

validate: $(STAMP)
	$(BIN)/python -m autograder validate

benchmark: $(STAMP)
	$(BIN)/python benchmarks/grade_vs_nbclient.py

clean:
	rm -rf _build
