"""The student notebooks are generated from the solutions, and stay in step with them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.catalog import CHAPTERS
from autograder.notebook.release import ReleaseError, is_generated, strip_solutions


def release(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autograder", "release", *args], cwd=root, capture_output=True, text=True, timeout=120
    )


@pytest.fixture()
def repo_copy(tmp_path: Path, repo_root: Path) -> Path:
    """The solutions and the generated notebooks, copied where a test may change them."""
    shutil.copytree(repo_root / "solutions", tmp_path / "solutions")
    shutil.copytree(repo_root / "chapters", tmp_path / "chapters")
    return tmp_path


def test_every_chapter_has_a_solution_and_an_exercise_notebook(repo_root: Path) -> None:
    for chapter in CHAPTERS.values():
        assert (repo_root / chapter.solution_path).is_file(), chapter.solution_path
        assert (repo_root / chapter.exercises_path).is_file(), chapter.exercises_path


def test_committed_exercise_notebooks_are_up_to_date(repo_root: Path) -> None:
    result = release(repo_root, "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_fails_after_a_solution_is_edited(repo_copy: Path) -> None:
    path = repo_copy / CHAPTERS["02"].solution_path
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("exercise"))
    cell.source = cell.source.replace('"""', '"""\n    # an edited docstring line', 1)
    nbformat.write(nb, path)
    result = release(repo_copy, "--check")
    assert result.returncode == 1
    assert "out of date: chapters/02-derivation/exercises.ipynb" in result.stdout
    assert release(repo_copy).returncode == 0
    assert release(repo_copy, "--check").returncode == 0


def test_release_never_overwrites_an_edited_notebook(repo_copy: Path) -> None:
    target = repo_copy / CHAPTERS["01"].exercises_path
    nb = nbformat.read(target, as_version=4)
    nb.cells[-1].source += "\n# a student's own note"
    nbformat.write(nb, target)
    edited = target.read_bytes()
    solution = repo_copy / CHAPTERS["01"].solution_path
    solution.write_text(solution.read_text().replace("Chapter", "Chapter ", 1))
    result = release(repo_copy)
    assert result.returncode == 1
    assert "refusing to overwrite chapters/01-covariate-shift/exercises.ipynb" in result.stderr
    assert target.read_bytes() == edited


@pytest.mark.parametrize("chapter", CHAPTERS.values(), ids=lambda c: c.slug)
def test_exercise_notebook_is_the_stripped_solution(chapter, repo_root: Path) -> None:
    solution = nbformat.read(repo_root / chapter.solution_path, as_version=4)
    student = nbformat.read(repo_root / chapter.exercises_path, as_version=4)
    assert is_generated(student)
    exercise_cells = [c for c in student.cells if c.metadata.get("exercise")]
    assert exercise_cells, "no exercise cells"
    for cell in exercise_cells:
        assert "NotImplementedError" in cell.source and "BEGIN SOLUTION" not in cell.source
    assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")
    solution_ids = [c.metadata["exercise"] for c in solution.cells if c.metadata.get("exercise")]
    assert [c.metadata["exercise"] for c in exercise_cells] == solution_ids


def test_strip_keeps_signature_docstring_and_indentation() -> None:
    source = 'def f(x):\n    """Doc."""\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n'
    assert strip_solutions(source, "01.f") == (
        'def f(x):\n    """Doc."""\n    raise NotImplementedError("01.f: replace this line with your implementation")'
    )


@pytest.mark.parametrize(
    "source", ["### BEGIN SOLUTION\nx = 1\n", "x = 1\n### END SOLUTION\n", "### BEGIN SOLUTION\n### BEGIN SOLUTION\n"]
)
def test_unbalanced_markers_are_refused(source: str) -> None:
    with pytest.raises(ReleaseError):
        strip_solutions(source, "01.f")


def test_points_and_the_list_come_from_the_declarations(repo_root: Path) -> None:
    """The student notebook's headings and list are generated; the solution must agree with them."""
    from autograder.exercises import chapter_exercises
    from autograder.notebook import headings

    for chapter in CHAPTERS.values():
        solution = nbformat.read(repo_root / chapter.solution_path, as_version=4)
        declared = chapter_exercises(chapter.number)
        assert headings.problems(solution, declared, chapter.solution_path) == []
        student = nbformat.read(repo_root / chapter.exercises_path, as_version=4)
        assert headings.exercise_list(declared) in student.cells[0].source
        text = "\n".join(c.source for c in student.cells if c.cell_type == "markdown")
        for exercise in declared:
            assert headings.points_text(exercise.points) in text, exercise.id


def test_changed_points_fail_release_until_the_solution_agrees(
    repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autograder.exercises import chapter_exercises
    from autograder.grader import specs
    from autograder.notebook import headings

    monkeypatch.setattr(type(specs.spec("04.ema_debias")), "points", 3)
    solution = nbformat.read(repo_root / CHAPTERS["04"].solution_path, as_version=4)
    found = headings.problems(solution, chapter_exercises("04"), "solutions/04-ema.ipynb")
    assert found == [
        "solutions/04-ema.ipynb: the heading of 04.ema_debias must end with (3 points): "
        "'## Exercise 3: `ema_debias` (2 points)'"
    ]
    headings.apply(solution, chapter_exercises("04"))
    assert headings.problems(solution, chapter_exercises("04"), "solutions/04-ema.ipynb") == []
    assert "3. `ema_debias` (3 points): " in solution.cells[0].source


def test_a_solution_that_never_ran_is_refused(repo_copy: Path) -> None:
    path = repo_copy / CHAPTERS["04"].solution_path
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].execution_count = None
    nbformat.write(nb, path)
    result = release(repo_copy, "--check")
    assert result.returncode == 1 and "run `make solutions`" in result.stderr
