"""Helpers for the sandbox tests: small limits, a tiny input, running requests for real."""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

import numpy as np

from autograder.sandbox import runner
from autograder.sandbox.api import ExerciseOutcome, Limits, ProbeCall, RunRequest
from autograder.types import Case

os.environ.setdefault("OMP_NUM_THREADS", "1")

FIXTURES = Path(__file__).with_name("probe_fixtures.py")
X = np.arange(16, dtype=np.float32).reshape(2, 2, 2, 2)
FAST = {
    "cell_seconds": 20.0,
    "exercise_seconds": 20.0,
    "notebook_seconds": 150.0,
    "memory_bytes": 3 * 1024**3 // 2,
    "cpu_seconds": 60,
    "processes": 64,
    "output_bytes": 64 * 1024,
}
SANDBOXES = ["bwrap", "none"]


def call(name: str, probe: str = "01.standardize", cases: int = 1) -> ProbeCall:
    """Exercise ``t.<name>``: the probe drives the notebook's function ``name`` on X."""
    return ProbeCall(f"t.{name}", name, [Case(f"case {i}", {"x": X + i}, {}) for i in range(cases)], probe)


def grade(
    cells: list[str], calls: list[ProbeCall], sandbox: str = "none", *, watch_grader: bool = False, **limits: float
) -> dict[str, ExerciseOutcome]:
    """Run a request for real (a real worker process) with the tests' small limits."""
    request = RunRequest(cells, calls, Limits(**{**FAST, **limits, "sandbox": sandbox}))
    # The package's integrity check watches this directory instead of autograder/, which
    # other people may edit while the tests run (test_runner.py checks the real thing).
    with mock.patch.object(runner, "GRADER_PACKAGE", runner.GRADER_PACKAGE if watch_grader else FIXTURES.parent):
        return runner.run(request, extra_probes=[FIXTURES])
