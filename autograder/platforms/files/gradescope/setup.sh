#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu).
# It installs Python 3.11, bubblewrap and the grader-only requirements (CPU torch, numpy,
# nbformat, IPython, rich, scikit-learn) into $AUTOGRADER_ROOT/venv. The package itself
# stays in source/ and is put on PYTHONPATH by run_autograder.
#
# AUTOGRADER_ROOT (default /autograder) and BN_GRADER_PYTHON (an interpreter that already
# has the requirements: no venv is made, pip only checks the pins) exist for testing this
# script outside Gradescope.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
TORCH_INDEX="${TORCH_INDEX:-https://download.pytorch.org/whl/cpu}"  # CPU wheels of torch

if [ -n "${BN_GRADER_PYTHON:-}" ]; then
  PYTHON="$BN_GRADER_PYTHON"
else
  apt-get update -q
  # bubblewrap: used when the container lets it create namespaces (see README.md)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q bubblewrap || true
  if ! command -v python3.11 >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3.11 python3.11-venv
  else
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3.11-venv || true
  fi
  python3.11 -m venv "$ROOT/venv"
  PYTHON="$ROOT/venv/bin/python"
  "$PYTHON" -m pip install --quiet --upgrade pip
fi

"$PYTHON" -m pip install --quiet --extra-index-url "$TORCH_INDEX" -r "$SOURCE/requirements-grader.txt"
# The grader imports, and says which assignment it grades (from source/, so that this package is the one run).
cd "$SOURCE"
PYTHONPATH="$SOURCE" "$PYTHON" -m autograder.platforms.gradescope --root "$ROOT" --describe
