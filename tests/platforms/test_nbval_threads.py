"""Stored outputs of the solution notebooks reproduce whatever the thread count.

The main test run executes solutions/ under nbval with OMP_NUM_THREADS=1 (the Makefile
exports it); this runs the same nbval check in a subprocess with 2 threads, the setting
under which a thread-dependent print would differ from its stored output.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from .helpers import PYTHON, ROOT

THREADS = "2"


@pytest.mark.notebooks
def test_nbval_over_the_solutions_passes_with_two_threads() -> None:
    env = {**os.environ, "OMP_NUM_THREADS": THREADS, "MKL_NUM_THREADS": THREADS}
    done = subprocess.run(
        [PYTHON, "-m", "pytest", "solutions", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=3000,
    )
    assert done.returncode == 0, done.stdout[-6000:]
