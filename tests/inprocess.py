"""The tests' one way of grading in-process (no isolation at all), through check()'s own path.

``grade(id, answer)`` runs an answer on an exercise's cases (``submission.inprocess``) and
judges them (``grader.verdict``), exactly as ``check()`` does. ``define`` runs student
code given as source text in a fresh namespace, like a notebook's, so answers that look
each other up (bn_backward finds bn_forward) do. ``run_in_process`` stands in for the
sandbox runner in the front end's tests; runs are serialized by a lock: redirecting
stdout is process-wide, so two threads of ``--jobs 2`` would leave sys.stdout captured.
"""

from __future__ import annotations

import contextlib
import io
import textwrap
import threading
from typing import Any

import torch

from autograder.grader import specs, verdict
from autograder.report.model import ExerciseResult
from autograder.sandbox.api import ExerciseOutcome, RunRequest
from autograder.submission import probes
from autograder.submission.inprocess import run_cases
from autograder.tracebacks import student_traceback

PRELUDE = "import torch\nfrom torch import nn\nimport numpy as np\n"
torch.set_num_threads(1)


def define(code: str) -> dict[str, Any]:
    """The namespace after running ``code`` (torch, nn and numpy imported), like a notebook's."""
    namespace: dict[str, Any] = {}
    exec(compile(PRELUDE + textwrap.dedent(code), "<student>", "exec"), namespace)
    return namespace


def grade(exercise_id: str, answer: Any, *, quick: bool = False) -> ExerciseResult:
    """The result of ``answer`` on every case (or the quick ones) of ``exercise_id``."""
    spec = specs.spec(exercise_id)
    cases = spec.cases(quick=quick)
    outcome = run_cases(probes.probe(exercise_id), answer, cases, 60.0)
    return verdict.judge(spec.exercise(), spec, cases, outcome, of=len(spec.cases()) if quick else None)


_ONE_AT_A_TIME = threading.Lock()


def run_in_process(request: RunRequest) -> dict[str, ExerciseOutcome]:
    """Execute the cells in one namespace, then drive each named answer with its probe."""
    with _ONE_AT_A_TIME:
        return _run(request)


def _run(request: RunRequest) -> dict[str, ExerciseOutcome]:
    namespace: dict[str, object] = {"__name__": "__main__"}
    failed: str | None = None
    with contextlib.redirect_stdout(io.StringIO()):
        for index, source in enumerate(request.code_cells):
            try:
                exec(compile(source, f"<cell {index + 1}>", "exec"), namespace)
            except Exception as error:
                failed = f"cell {index + 1} raised {student_traceback(error)}"
            namespace["check"] = namespace["score"] = lambda *args: None  # as the worker does
    outcomes = {}
    for call in request.calls:
        if call.name not in namespace:
            outcomes[call.exercise_id] = ExerciseOutcome("missing", failed or f"{call.name} is not defined")
            continue
        with contextlib.redirect_stdout(io.StringIO()):
            outcomes[call.exercise_id] = run_cases(
                probes.probe(call.probe_key), namespace[call.name], call.cases, request.limits.exercise_seconds
            )
    return outcomes
