"""``grade --sandbox auto|required``: the isolation used is said on stderr and in the JSON, never silently lost.

Bubblewrap is hidden for real by running the grader with a PATH that has no ``bwrap``
(the grader looks for it on its PATH); a cell of the graded notebook then writes a file
outside its scratch directory, which only succeeds when bubblewrap is truly absent.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import nbformat
import pytest

from autograder.cli import EXIT_NO_SANDBOX

from .helpers import ROOT, autograder, blank, hiding_bwrap, prepend, save, solved


def grade(notebook: Path, sandbox: str, *, hide_bwrap: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env = hiding_bwrap(env, notebook.parent) if hide_bwrap else env
    return autograder("grade", notebook, "--format", "json", "--sandbox", sandbox, cwd=notebook.parent, env=env)


@pytest.fixture
def escaping(tmp_path: Path) -> tuple[Path, Path]:
    """A solved chapter-01 notebook whose first cell writes a file outside the worker's scratch directory."""
    marker = tmp_path / "outside" / "written-by-the-submission"
    marker.parent.mkdir()
    cell = f"try:\n    open({str(marker)!r}, 'w').write('escaped')\nexcept OSError:\n    pass"
    return save(prepend(solved(blank("01"), "01"), cell), tmp_path / "01-submission.ipynb"), marker


@pytest.mark.parametrize("sandbox", ["auto", "required"])
def test_where_bubblewrap_works_both_modes_use_it(escaping: tuple[Path, Path], sandbox: str) -> None:
    notebook, marker = escaping
    done = grade(notebook, sandbox, hide_bwrap=False)
    assert done.returncode == 0, done.stderr
    assert "autograder: isolation: bubblewrap" in done.stderr
    data = json.loads(done.stdout)
    assert data["isolation"] == "bubblewrap" and data["score"] == data["max_score"] == 2.0
    assert not marker.exists()


def test_required_refuses_when_bubblewrap_is_hidden(escaping: tuple[Path, Path]) -> None:
    notebook, marker = escaping
    done = grade(notebook, "required", hide_bwrap=True)
    assert done.returncode == EXIT_NO_SANDBOX and done.stdout == ""
    assert "--sandbox required: bubblewrap (bwrap) is not installed" in done.stderr
    assert not marker.exists()  # nothing was run


def test_auto_falls_back_to_process_isolation_and_says_so(escaping: tuple[Path, Path]) -> None:
    notebook, marker = escaping
    done = grade(notebook, "auto", hide_bwrap=True)
    assert done.returncode == 0, done.stderr
    assert "autograder: isolation: process (bubblewrap (bwrap) is not installed)" in done.stderr
    data = json.loads(done.stdout)
    assert data["isolation"] == "process" and data["score"] == 2.0
    assert marker.read_text() == "escaped"  # no bubblewrap: the worker could write where the grader can


def test_every_graded_notebook_records_its_isolation(tmp_path: Path) -> None:
    first = save(nbformat.from_dict(blank("01")), tmp_path / "a" / "01-a.ipynb")
    second = save(nbformat.from_dict(blank("01")), tmp_path / "b" / "01-b.ipynb")
    done = autograder("grade", first, second, "--format", "json", "--sandbox", "auto", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [grade["isolation"] for grade in json.loads(done.stdout)] == ["bubblewrap", "bubblewrap"]
    assert done.stderr.count("autograder: isolation:") == 1  # chosen and said once per run
