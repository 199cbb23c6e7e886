"""Grading one notebook: load -> static check -> run in the sandbox -> compare -> diagnose -> Grade.

The notebook file is only ever read. Every exercise of its chapter appears in the
grade, except those the notebook was not released with (``Grade.not_released``). The
student's code runs only in the sandbox (``autograder.sandbox.runner``); references,
comparisons and diagnoses happen here, in the grader's process.
"""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path

from autograder.chapters import Exercise
from autograder.exercises import EXERCISES, chapter_exercises
from autograder.grader import verdict
from autograder.grader.specs import chapter_specs
from autograder.grader.specs.base import ExerciseSpec
from autograder.notebook.load import Notebook, NotebookUnreadable, chapter_from_path, read
from autograder.report.model import ExerciseResult, Grade, Problem
from autograder.sandbox.api import ExerciseOutcome, Limits, ProbeCall, RunRequest
from autograder.static.forbidden import find_forbidden
from autograder.static.package_use import beyond_check_and_score, find_package_use
from autograder.types import Status

Runner = Callable[[RunRequest], Mapping[str, ExerciseOutcome]]  # outcomes keyed by exercise id


def sandbox_runner(request: RunRequest) -> dict[str, ExerciseOutcome]:
    """The real runner: the submission runs isolated in a worker process."""
    from autograder.sandbox.runner import run

    return run(request)


def grade_notebook(
    path: Path, *, limits: Limits | None = None, runner: Runner | None = None, chapter: str | None = None
) -> Grade:
    """The grade of the notebook at ``path`` (never raises; problems are in the grade).

    ``runner`` runs the submission; the default is the sandbox (``sandbox_runner``).
    ``chapter`` is the chapter to assume when the file cannot say (unreadable, or no
    metadata, path or exercise name telling it).
    The file's bytes are compared before and after: a submission that manages to change
    the graded file (possible only without bubblewrap) loses every exercise as forbidden.
    """
    before = _fingerprint(path)
    grade = _grade(path, limits, runner, chapter)
    if _fingerprint(path) != before:
        message = "the graded notebook was modified while it was being graded"
        graded = [EXERCISES[e.id] for e in grade.exercises]
        return _whole(str(path), grade.chapter, graded, "forbidden", message, "tampered", grade.not_released)
    return grade


def _fingerprint(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _grade(path: Path, limits: Limits | None, runner: Runner | None, assumed: str | None) -> Grade:
    name = str(path)
    try:
        notebook = read(path)
    except NotebookUnreadable as error:
        chapter = chapter_from_path(path) or assumed
        return _whole(name, chapter, _exercises_of(chapter), "missing", str(error), "unreadable")
    chapter = notebook.chapter() or assumed
    if chapter is None:
        message = (
            f"cannot tell which chapter {name} belongs to: it has no bn_course.chapter metadata, "
            "its path has no NN-slug part, and it defines none of the exercises' names (pass --chapter NN)"
        )
        return _whole(name, None, [], "missing", message, "unreadable")
    try:
        graded, not_released = notebook.released(chapter)
    except KeyError as error:  # the chapter's declarations are broken: only this chapter's notebooks fail
        message = f"the grader cannot grade chapter {chapter}: {error.args[0]}"
        return _whole(name, chapter, [], "error", message, "internal")
    try:
        results, internal = _grade_exercises(notebook, chapter, graded, limits or Limits(), runner or sandbox_runner)
    except KeyError as error:
        message = f"the grader cannot grade chapter {chapter}: {error.args[0]}"
        return _whole(name, chapter, graded, "error", message, "internal", not_released)
    except Exception:
        message = f"internal grader error:\n{traceback.format_exc()}"
        feedback = "internal grader error (see the notebook's error)"
        return _whole(name, chapter, graded, "error", message, "internal", not_released, feedback)
    problem: Problem | None = "internal" if internal else None
    return Grade(name, results, chapter, "\n".join(internal) or None, problem, not_released=not_released)


def _exercises_of(chapter: str | None) -> list[Exercise]:
    """The chapter's exercises; none when it is unknown or its declarations are broken."""
    try:
        return chapter_exercises(chapter) if chapter else []
    except KeyError:
        return []


def _whole(
    name: str,
    chapter: str | None,
    graded: list[Exercise],
    status: Status,
    message: str,
    problem: Problem,
    not_released: list[str] | None = None,
    feedback: str | None = None,
) -> Grade:
    """A grade where every graded exercise shares one status and feedback."""
    results = [verdict.result(e, status, feedback or message) for e in graded]
    return Grade(name, results, chapter, message, problem, not_released=list(not_released or []))


def _grade_exercises(
    notebook: Notebook, chapter: str, graded: list[Exercise], limits: Limits, runner: Runner
) -> tuple[list[ExerciseResult], list[str]]:
    """Each graded exercise's result, and the grader's own problems (missing or broken specs)."""
    results: dict[str, ExerciseResult] = {}
    internal: list[str] = []
    to_run: list[tuple[ProbeCall, ExerciseSpec]] = []
    wanted = {e.id for e in graded}
    specs = [s for s in chapter_specs(chapter) if s.id in wanted]  # KeyError when the chapter's module is broken
    for spec in specs:
        exercise = spec.exercise()
        try:
            call = ProbeCall(exercise.id, exercise.name, spec.cases())
        except Exception as error:  # the grader's problem, not the student's: exit code 4
            reason = error.args[0] if isinstance(error, KeyError) else f"{type(error).__name__}: {error}"
            internal.append(f"the grader cannot grade {exercise.id}: {reason}")
            results[exercise.id] = verdict.result(exercise, "error", internal[-1])
            continue
        findings = _forbidden(notebook, exercise)
        if findings:
            feedback = "Forbidden in this exercise:\n" + "\n".join(f"- {f}" for f in findings)
            results[exercise.id] = verdict.result(exercise, "forbidden", feedback)
        else:
            to_run.append((call, spec))
    outcomes = runner(RunRequest(notebook.code_cells, [call for call, _ in to_run], limits)) if to_run else {}
    for call, spec in to_run:
        exercise = spec.exercise()
        try:
            results[exercise.id] = verdict.judge(exercise, spec, call.cases, outcomes[exercise.id])
        except Exception:
            internal.append(f"internal grader error while judging {exercise.id}:\n{traceback.format_exc()}")
            results[exercise.id] = verdict.result(exercise, "error", internal[-1])
    return [results[s.id] for s in specs], internal


def _forbidden(notebook: Notebook, exercise: Exercise) -> list[str]:
    """What the static check finds: forbidden APIs in the cell defining the exercise, and uses of
    the autograder package beyond check and score in that cell or the cells before it."""
    index = notebook.exercise_cell(exercise)
    if index is None:
        return []  # the run reports the exercise as missing
    cells = notebook.code_cells
    package = [beyond_check_and_score(route) for route in find_package_use(cells[: index + 1])]
    return find_forbidden(cells[index], exercise.id, prelude=cells[:index]) + package
