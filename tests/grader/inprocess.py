"""An in-process stand-in for the sandbox runner, for fast grader tests (no isolation at all).

Runs are serialized by a lock: redirecting stdout is process-wide, so two threads of
``--jobs 2`` interleaving their redirections would leave sys.stdout captured.
"""

from __future__ import annotations

import contextlib
import io
import threading

from autograder import probes
from autograder.inline import run_cases, student_traceback
from autograder.sandbox.api import ExerciseOutcome, RunRequest


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
            outcomes[call.exercise_id] = run_cases(probes.probe(call.probe), namespace[call.name], call.cases, request.limits.exercise_seconds)
    return outcomes
