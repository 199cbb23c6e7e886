"""Grading a candidate answer that is not a student's: a chapter page's definition, or the package's.

``python tests/giveaways/harness.py page NN`` and ``... package NN.name`` (or ``package all``) print one JSON
object: every (candidate, exercise) pair whose signature fits, with the status the grader
gives it, and the status of the solution's own answer graded the same way (the control:
it shows the harness can see a pass). Each run is a separate process, so that calling
the package's functions with tensors cannot disturb the tests.

A candidate is graded as a student would be who copied its code with the helpers it
calls and the page's imports: its source is read for forbidden APIs, it runs on the
exercise's full case list under the operator watch, and the grader's verdict decides.
A page contributes its imports, its function and class definitions and its assignments
that call nothing (what a student copies along), not its experiments.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import inspect
import io
import json
import os
import pkgutil
import sys
from pathlib import Path
from typing import Any

import nbformat
from myst_nb.core.read import read_myst_markdown_notebook

import autograder
from autograder.catalog import CHAPTERS, EXERCISES, chapter_exercises
from autograder.grader import specs, verdict
from autograder.sandbox.api import ExerciseOutcome
from autograder.static.allowances import allowance
from autograder.static.forbidden import find_forbidden
from autograder.submission import probes
from autograder.submission.inprocess import probe_case
from autograder.submission.watch import OpWatch

ROOT = Path(__file__).resolve().parents[2]


def solution_answers(number: str) -> dict[str, Any]:
    """The solution notebook's answers of chapter ``number``, by exercise id, with their cells' namespace."""
    notebook = nbformat.read(ROOT / "solutions" / f"{CHAPTERS[number].slug}.ipynb", as_version=4)
    cells = [c for c in notebook.cells if c.cell_type == "code" and "check" not in c.metadata]
    last = max(i for i, c in enumerate(cells) if "exercise" in c.metadata)  # the exploration after it is not needed
    namespace: dict[str, Any] = {"__name__": "__main__"}
    answers = {}
    for cell in cells[: last + 1]:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(cell.source, f"<solution {number}>", "exec"), namespace)
        if "exercise" in cell.metadata:
            exercise = EXERCISES[cell.metadata["exercise"]]
            answers[exercise.id] = namespace[exercise.name]
    return answers


def fits(candidate: Any, solution: Any) -> bool:
    """Whether ``candidate`` can be called the way the exercise calls the solution."""
    if isinstance(solution, type):
        return isinstance(candidate, type) and _takes(candidate, _required(solution))
    return callable(candidate) and not isinstance(candidate, type) and _takes(candidate, _required(solution))


def _required(answer: Any) -> int:
    parameters = inspect.signature(answer).parameters.values()
    return sum(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)


def _takes(candidate: Any, count: int) -> bool:
    try:
        inspect.signature(candidate).bind(*range(count))
    except (TypeError, ValueError):
        return False
    return True


def status(exercise_id: str, candidate: Any) -> str:
    """The grader's status for ``candidate`` as the answer to ``exercise_id``, on every case."""
    with contextlib.suppress(OSError, TypeError):
        if find_forbidden(inspect.getsource(candidate), exercise_id):
            return "forbidden"
    spec = specs.spec(exercise_id)
    probe = probes.probe(exercise_id)
    cases = spec.cases()
    harness = (os.path.dirname(inspect.getfile(probe)) + os.sep,)  # the probes drive; the rest is the candidate's
    watch = OpWatch(harness, allowance(exercise_id).ops)
    getattr(candidate, "cache_clear", lambda: None)()  # a copy starts with an empty cache
    with contextlib.redirect_stdout(io.StringIO()), watch:
        outcomes = [probe_case(probe, candidate, case) for case in cases]
    # the probes drive from submission/probes/; the candidate's own code is everywhere else
    outcome = ExerciseOutcome("ran", cases=outcomes, forbidden_routes=watch.routes)
    return verdict.judge(EXERCISES[exercise_id], spec, cases, outcome).status


def page_definitions(number: str) -> dict[str, Any]:
    """What a student copies from chapter ``number``'s page: imports, definitions, call-free assignments."""
    page = ROOT / "chapters" / CHAPTERS[number].slug / "index.md"
    namespace: dict[str, Any] = {"__name__": "__main__"}
    defined: list[str] = []
    os.chdir(page.parent)
    for cell in read_myst_markdown_notebook(page.read_text()).cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        for statement in ast.parse(source).body:
            if not _copied(statement):
                continue
            if isinstance(statement, (ast.FunctionDef, ast.ClassDef)):
                defined.append(statement.name)
            with contextlib.suppress(Exception), contextlib.redirect_stdout(io.StringIO()):
                exec(compile(ast.Module([statement], []), str(page), "exec"), namespace)
    return {name: namespace[name] for name in dict.fromkeys(defined) if name in namespace}


def _copied(statement: ast.stmt) -> bool:
    if isinstance(statement, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)):
        return True
    return isinstance(statement, ast.Assign) and not any(isinstance(n, ast.Call) for n in ast.walk(statement.value))


def package_definitions() -> dict[str, Any]:
    """Every function and class defined at the top level of a module of the package."""
    found: dict[str, Any] = {}
    for info in pkgutil.walk_packages(autograder.__path__, "autograder."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (inspect.isfunction(value) or inspect.isclass(value)) and value.__module__ == module.__name__:
                found[f"{module.__name__}.{name}"] = value
    return found


def targets(number: str) -> list[str]:
    """The exercises a chapter page's definitions are tried against (the capstone grades chapter 05's class)."""
    ids = [e.id for e in chapter_exercises(number) if e.id != "08.capstone"]
    return ids + [e.id for e in chapter_exercises("05")] + ["08.capstone"] if number == "08" else ids


def run(kind: str, what: str) -> dict[str, Any]:
    if kind == "page":
        ids, candidates = targets(what), page_definitions(what)
    else:  # "all", or one exercise id
        ids, candidates = (list(EXERCISES) if what == "all" else [what]), package_definitions()
    answers = {i: a for n in {i.split(".")[0] for i in ids} for i, a in solution_answers(n).items() if i in ids}
    tried = [
        {"candidate": name, "exercise": exercise_id, "status": status(exercise_id, candidate)}
        for exercise_id in ids
        for name, candidate in candidates.items()
        if fits(candidate, answers[exercise_id])
    ]
    controls = {exercise_id: status(exercise_id, answers[exercise_id]) for exercise_id in ids}
    return {"tried": tried, "controls": controls, "candidates": len(candidates)}


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], sys.argv[2])))
