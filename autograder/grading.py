"""Grading one notebook: load -> static check -> run in the sandbox -> compare -> diagnose -> Grade.

The notebook file is only ever read. Every exercise of its chapter appears in the
grade. The student's code runs only in the sandbox (``autograder.sandbox.runner``);
references, comparisons and diagnoses happen here, in the grader's process.
"""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path

from autograder.chapters import Exercise
from autograder.exercises import chapter_exercises
from autograder.grader import verdict
from autograder.grader.specs import chapter_specs
from autograder.grader.specs.base import ExerciseSpec
from autograder.notebook.load import Notebook, NotebookUnreadable, chapter_from_path, read
from autograder.report.model import ExerciseResult, Grade, Problem
from autograder.sandbox.api import ExerciseOutcome, Limits, ProbeCall, RunRequest
from autograder.static.forbidden import find_forbidden
from autograder.types import Status

Runner = Callable[[RunRequest], Mapping[str, ExerciseOutcome]]  # outcomes keyed by exercise id


def sandbox_runner(request: RunRequest) -> dict[str, ExerciseOutcome]:
    """The real runner: the submission runs isolated in a worker process."""
    from autograder.sandbox.runner import run

    return run(request)


def grade_notebook(path: Path, *, limits: Limits | None = None, runner: Runner | None = None) -> Grade:
    """The grade of the notebook at ``path`` (never raises; problems are in the grade).

    ``runner`` runs the submission; the default is the sandbox (``sandbox_runner``).
    The file's bytes are compared before and after: a submission that manages to change
    the graded file (possible only without bubblewrap) loses every exercise as forbidden.
    """
    before = _fingerprint(path)
    grade = _grade(path, limits, runner)
    if _fingerprint(path) != before:
        message = "the graded notebook was modified while it was being graded"
        return _whole(str(path), grade.chapter, "forbidden", message, "tampered")
    return grade


def _fingerprint(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _grade(path: Path, limits: Limits | None, runner: Runner | None) -> Grade:
    name = str(path)
    try:
        notebook = read(path)
    except NotebookUnreadable as error:
        return _whole(name, chapter_from_path(path), "missing", str(error), "unreadable")
    chapter = notebook.chapter()
    if chapter is None:
        message = (
            f"cannot tell which chapter {name} belongs to: it has no bn_course.chapter metadata, "
            "its path has no NN-slug part, and it defines none of the exercises' names"
        )
        return _whole(name, None, "missing", message, "unreadable")
    try:
        results, internal = _grade_exercises(notebook, chapter, limits or Limits(), runner or sandbox_runner)
    except KeyError as error:  # the chapter's declarations are broken: only this chapter's notebooks fail
        return _whole(name, chapter, "error", f"the grader cannot grade chapter {chapter}: {error.args[0]}", "internal")
    except Exception:
        message = f"internal grader error:\n{traceback.format_exc()}"
        return _whole(
            name, chapter, "error", message, "internal", feedback="internal grader error (see the notebook's error)"
        )
    return Grade(name, results, chapter, "\n".join(internal) or None, "internal" if internal else None)


def _whole(
    name: str, chapter: str | None, status: Status, message: str, problem: Problem, feedback: str | None = None
) -> Grade:
    """A grade where every exercise of the chapter (if known) shares one status and feedback."""
    try:
        known = chapter_exercises(chapter) if chapter else []
    except KeyError:  # the chapter's declarations are broken: the grade says so, with no exercises
        known = []
    results = [verdict.result(e, status, feedback or message) for e in known]
    return Grade(name, results, chapter, message, problem)


def _grade_exercises(
    notebook: Notebook, chapter: str, limits: Limits, runner: Runner
) -> tuple[list[ExerciseResult], list[str]]:
    """Each exercise's result, and the grader's own problems (missing or broken specs)."""
    results: dict[str, ExerciseResult] = {}
    internal: list[str] = []
    to_run: list[tuple[ProbeCall, ExerciseSpec]] = []
    specs = chapter_specs(chapter)  # KeyError when the chapter's module is broken: an internal error
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
    """The forbidden APIs the static check finds in the cell defining the exercise."""
    index = notebook.exercise_cell(exercise)
    if index is None:
        return []  # the run reports the exercise as missing
    cells = notebook.code_cells
    return find_forbidden(cells[index], exercise.id, prelude=cells[:index])
