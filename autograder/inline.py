"""``check(...)`` and ``score()`` inside a notebook: the quick cases, run in-process.

``check(answer)`` (or ``check("02.bn_forward", answer)``) drives the answer with its
probe on the spec's quick cases, compares with torch, prints the feedback and raises
``AssertionError`` when the answer is not right, so ``pytest --nbval-lax`` fails on it.
Its verdict is the grade's verdict restricted to the quick cases, and says so ("Case 2
of the 5 quick cases (of 24)"; "passed the quick check (5 of 24 cases)"): an answer
can pass the check and fail a case that only the grade runs.
A guard (``signal.setitimer`` in the main thread) turns an endless loop into a
reported timeout (``autograder.submission.inprocess``). ``score()`` prints the chapter's
table from the checks run so far.
"""

from __future__ import annotations

from typing import Any

from autograder import exercises
from autograder.chapters import Exercise
from autograder.grader import specs, verdict
from autograder.report.model import ExerciseResult
from autograder.static.package_use import beyond_check_and_score
from autograder.submission import probes
from autograder.submission.inprocess import run_cases
from autograder.submission.package_guard import answer_routes

CHECK_SECONDS = 20.0  # an answer that takes longer on the quick cases is reported as a timeout
_RESULTS: dict[str, ExerciseResult] = {}  # the latest check of each exercise in this kernel


def check(target: Any, answer: Any = None) -> None:
    """Check ``answer`` against torch on the quick cases; AssertionError when it is not right.

    Returns None, so a ``check(...)`` cell shows only the printed feedback.
    """
    exercise = _exercise(target, answer)
    answer = target if answer is None else answer
    spec = specs.spec(exercise.id)
    cases = spec.cases(quick=True)
    outcome = run_cases(probes.probe(spec.id), answer, cases, CHECK_SECONDS)
    outcome.forbidden_routes.extend(beyond_check_and_score(route) for route in answer_routes(answer))
    result = verdict.judge(exercise, spec, cases, outcome, of=len(spec.cases()))
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
    rows = [(e, _RESULTS.get(e.id)) for e in exercises.chapter_exercises(chapter)]
    width = max(len(e.id) for e, _ in rows)
    total = sum(r.score for _, r in rows if r)
    maximum = sum(float(e.points) for e, _ in rows)
    print(f"Chapter {chapter}: {total:g} / {maximum:g} points")
    for exercise, result in rows:
        status = result.status if result else "not checked"
        print(f"  {exercise.id:<{width}}  {status:<15} {result.score if result else 0:g}/{exercise.points:g}")


def _exercise(target: Any, answer: Any) -> Exercise:
    if isinstance(target, str):
        try:
            known = exercises.exercise(target)
        except KeyError:
            raise ValueError(f"unknown exercise id {target!r}; ids look like '02.bn_forward'") from None
        if answer is None:
            raise TypeError(f"check({target!r}, answer): pass your function or class too")
        return known
    name = getattr(target, "__name__", None)
    if not isinstance(name, str):
        raise TypeError("check(answer) needs your function or class, or check('NN.name', answer)")
    return exercises.exercise_by_name(name)
