"""Submissions made from the course's own notebooks: solved, blank, wrong, hostile."""

from __future__ import annotations

from pathlib import Path

import nbformat

from autograder.catalog import CHAPTERS

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
KERAS_EMA_UPDATE = "def ema_update(running, value, momentum):\n    return momentum * running + (1 - momentum) * value\n"


def blank(chapter: str) -> nbformat.NotebookNode:
    """The chapter's exercise notebook as students get it."""
    return nbformat.read(ROOT / CHAPTERS[chapter].exercises_path, as_version=4)


def solved(student: nbformat.NotebookNode, chapter: str) -> nbformat.NotebookNode:
    """``student`` with each exercise cell replaced by the solution notebook's cell (what a student who solved it has)."""
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
