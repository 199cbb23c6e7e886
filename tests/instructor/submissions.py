"""Submissions made from the real chapter 01 notebooks, and the CLI run as a separate process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "solutions/01-covariate-shift.ipynb"
BLANK = ROOT / "chapters/01-covariate-shift/exercises.ipynb"
SLUG = "01-covariate-shift"

WRONG_DIMS = (
    "def channel_moments(x):\n    v = x.reshape(x.shape[1], -1)\n    return v.mean(1), v.var(1, unbiased=False)\n"
)
UNBIASED = (
    "def standardize(x, eps=1e-5):\n"
    "    return (x - x.mean((0, 2, 3), keepdim=True)) / torch.sqrt(x.var((0, 2, 3), keepdim=True) + eps)\n"
)
EPS_OUTSIDE = (
    "def standardize(x, eps=1e-5):\n"
    "    m = x.mean((0, 2, 3), keepdim=True)\n"
    "    return (x - m) / (x.var((0, 2, 3), unbiased=False, keepdim=True).sqrt() + eps)\n"
)


def autograder(*args: object, cwd: Path = ROOT, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``python -m autograder ARGS`` in a separate process (the real sandbox)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "autograder", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def answered(notebook: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    """The notebook with the cells of the given exercise ids replaced by the given sources."""
    for cell in notebook.cells:
        exercise_id = cell.metadata.get("exercise")
        if exercise_id in answers:
            cell.source = answers[exercise_id]
    return notebook


def solved_source(exercise_id: str) -> str:
    """The solution notebook's cell for an exercise."""
    [source] = [c.source for c in read(SOLUTION).cells if c.metadata.get("exercise") == exercise_id]
    return source


def release_without(root: Path, name: str) -> Path:
    """The student notebook of a release that did not have the exercise ``name`` yet.

    Release writes the ids it released into ``bn_course.exercises`` (tests/notebook checks
    that); a release made before ``name`` was declared had neither its cells nor its id.
    """
    notebook = read(BLANK)
    notebook.cells = [cell for cell in notebook.cells if name not in cell.source]
    record = notebook.metadata["bn_course"]
    record["exercises"] = [i for i in record["exercises"] if not i.endswith("." + name)]
    return write(notebook, root / "chapters" / SLUG / "exercises.ipynb")


def write(notebook: nbformat.NotebookNode, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path
