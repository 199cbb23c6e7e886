"""Running an answer's cases in this process: ``check()``'s driver (submission side).

``check()`` in a notebook drives the student's answer here, in the kernel, on the quick
cases; the student exceptions become data (``CaseOutcome``), never propagate. A guard
(``signal.setitimer`` in the main thread) turns an endless loop into a timeout.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from autograder.sandbox.api import CaseOutcome, ExerciseOutcome
from autograder.submission.probes import Probe
from autograder.submission.probes.marshal import AnswerError
from autograder.tracebacks import student_traceback
from autograder.types import Case


class CheckTimeout(BaseException):
    """Raised into the answer when the check's time is up (a BaseException: ``except Exception`` won't hide it)."""


def run_cases(probe: Probe, answer: Any, cases: list[Case], seconds: float) -> ExerciseOutcome:
    """Run every case in this process, within ``seconds`` in all (when a timer can be set here)."""
    outcomes: list[CaseOutcome] = []
    try:
        with _time_limit(seconds):
            for case in cases:
                outcomes.append(probe_case(probe, answer, case))
    except CheckTimeout:
        return ExerciseOutcome("timeout", f"did not finish within {seconds:g} s (an endless loop?)")
    return ExerciseOutcome("ran", cases=outcomes)


def probe_case(probe: Probe, answer: Any, case: Case) -> CaseOutcome:
    """Drive the answer on one case; the student's exceptions become data, never propagate."""
    try:
        return CaseOutcome(outputs=probe(answer, case.inputs, case.params))
    except NotImplementedError:
        return CaseOutcome(not_implemented=True)
    except AnswerError as error:
        return CaseOutcome(answer_error=str(error), misconceptions=error.misconceptions)
    except Exception as error:
        return CaseOutcome(error=student_traceback(error))


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise CheckTimeout in the main thread after ``seconds``; no guard elsewhere."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise CheckTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
