#!/usr/bin/env bash
# What the `grade` workflow runs (.github/workflows/grade.yml); run it yourself the same way:
#   bash .github/grade.sh
# 1. `pytest --nbval-lax` runs each exercise notebook top to bottom in a kernel: a cell that
#    raises (NotImplementedError in an unfinished exercise, AssertionError from check()) fails.
# 2. `python -m autograder grade` grades the notebooks as the instructor's grader does; the
#    table goes to the job summary ($GITHUB_STEP_SUMMARY), or to the terminal.
# PYTHON (default: python) and NOTEBOOKS (default: chapters/*/exercises.ipynb) may be set.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
NOTEBOOKS="${NOTEBOOKS:-chapters/*/exercises.ipynb}"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"  # this repository's autograder package
export OMP_NUM_THREADS=1
grades="$(mktemp)"
trap 'rm -f "$grades"' EXIT

# shellcheck disable=SC2086  # NOTEBOOKS is a glob
"$PYTHON" -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider $NOTEBOOKS
tests=$?
# shellcheck disable=SC2086
"$PYTHON" -m autograder grade $NOTEBOOKS --format json --out "$grades"
graded=$?
if [ -s "$grades" ]; then
  "$PYTHON" -m autograder.platforms.classroom summary "$grades" >> "${GITHUB_STEP_SUMMARY:-/dev/stdout}"
fi
[ "$tests" -eq 0 ] && [ "$graded" -eq 0 ]
