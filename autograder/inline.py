"""``check(...)`` and ``score()`` inside a notebook: the quick cases, run in-process.

``check(answer)`` (or ``check("02.bn_forward", answer)``) drives the answer with its
probe on the spec's quick cases, compares with torch, prints the feedback and raises
``AssertionError`` when the answer is not right, so ``pytest --nbval-lax`` fails on it.
A guard (``signal.setitimer`` in the main thread) turns an endless loop into a
reported timeout. ``score()`` prints the chapter's table from the checks run so far.
"""

from __future__ import annotations

import os
import signal
import sysconfig
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from autograder import exercises, probes, verdict
from autograder.catalog import EXERCISES, Exercise, chapter_exercises, exercise_by_name
from autograder.exercises.base import Case
from autograder.probes.base import AnswerError
from autograder.report.model import ExerciseResult
from autograder.sandbox.api import CaseOutcome, ExerciseOutcome
from autograder.sandbox.package_guard import answer_routes
from autograder.static.package_use import beyond_check_and_score

CHECK_SECONDS = 20.0  # an answer that takes longer on the quick cases is reported as a timeout
# Frames in these folders are not the student's: the autograder, the standard library, installed packages.
_FOLDERS = (Path(__file__).parent, *(Path(sysconfig.get_paths()[key]) for key in ("stdlib", "purelib", "platlib")))
_NOT_STUDENT = tuple({str(path) + os.sep for folder in _FOLDERS for path in (folder, folder.resolve())})
_RESULTS: dict[str, ExerciseResult] = {}  # the latest check of each exercise in this kernel


class CheckTimeout(BaseException):
    """Raised into the answer when the check's time is up (a BaseException: ``except Exception`` won't hide it)."""


def check(target: Any, answer: Any = None) -> None:
    """Check ``answer`` against torch on the quick cases; AssertionError when it is not right.

    Returns None, so a ``check(...)`` cell shows only the printed feedback.
    """
    exercise = _exercise(target, answer)
    answer = target if answer is None else answer
    spec = exercises.spec(exercise.id)
    cases = spec.cases(quick=True)
    outcome = run_cases(probes.probe(spec.probe), answer, cases, CHECK_SECONDS)
    outcome.forbidden_routes.extend(beyond_check_and_score(route) for route in answer_routes(answer))
    result = verdict.judge(exercise, spec, cases, outcome)
    _RESULTS.pop(exercise.id, None)  # re-inserted last: score() follows the latest check
    _RESULTS[exercise.id] = result
    if result.status == "passed":
        print(f"{exercise.id}: passed ({result.score:g}/{result.max_score:g} points). {result.feedback}")
        return
    print(f"{exercise.id}: {result.status} (0/{result.max_score:g} points)\n{result.feedback}")
    named = f" [{', '.join(result.misconceptions)}]" if result.misconceptions else ""
    raise AssertionError(f"{exercise.id} {result.status}{named}")


def score() -> None:
    """Print the score table of the chapter of the latest check."""
    if not _RESULTS:
        print("No check has run in this kernel yet: run the check(...) cells first.")
        return
    chapter = next(reversed(_RESULTS)).split(".")[0]
    rows = [(e, _RESULTS.get(e.id)) for e in chapter_exercises(chapter)]
    width = max(len(e.id) for e, _ in rows)
    total = sum(r.score for _, r in rows if r)
    maximum = sum(float(e.points) for e, _ in rows)
    print(f"Chapter {chapter}: {total:g} / {maximum:g} points")
    for exercise, result in rows:
        status = result.status if result else "not checked"
        print(f"  {exercise.id:<{width}}  {status:<15} {result.score if result else 0:g}/{exercise.points:g}")


def run_cases(probe: Any, answer: Any, cases: list[Case], seconds: float) -> ExerciseOutcome:
    """Run every case in this process, within ``seconds`` in all (when a timer can be set here)."""
    outcomes: list[CaseOutcome] = []
    try:
        with _time_limit(seconds):
            for case in cases:
                outcomes.append(probe_case(probe, answer, case))
    except CheckTimeout:
        return ExerciseOutcome("timeout", f"did not finish within {seconds:g} s (an endless loop?)")
    return ExerciseOutcome("ran", cases=outcomes)


def probe_case(probe: Any, answer: Any, case: Case) -> CaseOutcome:
    """Drive the answer on one case; the student's exceptions become data, never propagate."""
    try:
        return CaseOutcome(outputs=probe(answer, case.inputs, case.params))
    except NotImplementedError:
        return CaseOutcome(not_implemented=True)
    except AnswerError as error:
        return CaseOutcome(answer_error=str(error), misconceptions=error.misconceptions)
    except Exception as error:
        return CaseOutcome(error=student_traceback(error))


def student_traceback(error: BaseException) -> str:
    """The exception with its traceback trimmed to the student's own frames (the last three)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not f.filename.startswith(_NOT_STUDENT)]
    lines = traceback.format_list(frames[-3:]) + traceback.format_exception_only(type(error), error)
    return "".join(lines).rstrip()


def _exercise(target: Any, answer: Any) -> Exercise:
    if isinstance(target, str):
        if target not in EXERCISES:
            raise ValueError(f"unknown exercise id {target!r}; ids look like '02.bn_forward'")
        if answer is None:
            raise TypeError(f"check({target!r}, answer): pass your function or class too")
        return EXERCISES[target]
    name = getattr(target, "__name__", None)
    if not isinstance(name, str):
        raise TypeError("check(answer) needs your function or class, or check('NN.name', answer)")
    return exercise_by_name(name)


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
