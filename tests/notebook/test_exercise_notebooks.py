"""The generated student notebooks run in a real kernel, and every check in them fails
as "not implemented" until the student writes the code."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.catalog import CHAPTERS
from autograder.exercises import chapter_exercises

pytestmark = pytest.mark.notebooks


def errors_of(cell: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


def text_of(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


@pytest.mark.parametrize("chapter", CHAPTERS.values(), ids=lambda c: c.slug)
def test_blank_notebook_runs_and_every_check_says_not_implemented(chapter, repo_root: Path) -> None:
    path = repo_root / chapter.exercises_path
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(path.parent)}}
    ).execute()

    checks = {c.metadata["check"]: c for c in nb.cells if c.metadata.get("check")}
    assert sorted(checks) == sorted(e.id for e in chapter_exercises(chapter.number))
    for exercise_id, cell in checks.items():
        [error] = errors_of(cell)
        assert error.ename == "AssertionError", (exercise_id, error.ename, error.evalue)
        assert "not implemented" in (text_of(cell) + error.evalue).lower(), exercise_id
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.metadata.get("check"):
            continue
        for error in errors_of(cell):
            assert error.ename == "NotImplementedError", f"{error.ename}: {error.evalue} in\n{cell.source}"
        if cell.metadata.get("exercise") or cell.metadata.get("bootstrap"):
            assert not errors_of(cell), cell.source
