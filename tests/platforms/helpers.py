"""Submissions made from the course's own notebooks: solved, blank, wrong, hostile."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import nbformat

from autograder.catalog import CHAPTERS

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
KERAS_EMA_UPDATE = "def ema_update(running, value, momentum):\n    return momentum * running + (1 - momentum) * value\n"


def autograder(*args: object, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m autograder ARGS`` with this project's venv, as a separate process."""
    command = [str(PYTHON), "-m", "autograder", *map(str, args)]
    return subprocess.run(command, cwd=cwd, env=env or dict(os.environ), capture_output=True, text=True, timeout=900)


def hiding_bwrap(env: dict[str, str], folder: Path) -> dict[str, str]:
    """``env`` with a PATH of one empty folder: the grader looks for bwrap on its PATH and cannot find it."""
    empty = folder / "empty-bin"
    empty.mkdir(exist_ok=True)
    return {**env, "PATH": str(empty)}


def blank(chapter: str) -> nbformat.NotebookNode:
    """The chapter's exercise notebook as students get it."""
    return nbformat.read(ROOT / CHAPTERS[chapter].exercises_path, as_version=4)


def solved(student: nbformat.NotebookNode, chapter: str) -> nbformat.NotebookNode:
    """``student`` with each exercise cell replaced by the solution notebook's cell: a student who solved it."""
    solution = nbformat.read(ROOT / CHAPTERS[chapter].solution_path, as_version=4)
    answers = {c.metadata["exercise"]: c.source for c in solution.cells if c.metadata.get("exercise")}
    done = nbformat.from_dict(student)
    for cell in done.cells:
        if cell.metadata.get("exercise"):
            cell.source = answers[cell.metadata["exercise"]]
    return done


def answer(notebook: nbformat.NotebookNode, exercise_id: str, source: str) -> nbformat.NotebookNode:
    """``notebook`` with the cell of ``exercise_id`` replaced by ``source``."""
    changed = nbformat.from_dict(notebook)
    [cell] = [c for c in changed.cells if c.metadata.get("exercise") == exercise_id]
    cell.source = source
    return changed


def prepend(notebook: nbformat.NotebookNode, source: str) -> nbformat.NotebookNode:
    """``notebook`` with a code cell run before all the others."""
    changed = nbformat.from_dict(notebook)
    changed.cells.insert(0, nbformat.v4.new_code_cell(source))
    return changed


def save(notebook: nbformat.NotebookNode, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path
