"""``release --student-repo DIR``: the repository students get, generated and exercised with its own workflow.

The workflow's commands live in ``.github/grade.sh``; these tests read grade.yml to find
that script and its ``NOTEBOOKS`` setting, then run it in DIR (with this project's venv
as ``PYTHON``) on blank, solved and Keras-momentum notebooks of chapters 01 and 04.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml

from autograder import course
from autograder.catalog import CHAPTERS, EXERCISES
from autograder.notebook.student_repo import solution_leaks

from .helpers import KERAS_EMA_UPDATE, PYTHON, ROOT, answer, autograder, blank, save, solved

URL = "https://github.com/my-university/bn-course-2027"
CHAPTERS_RUN = ("01", "04")


@pytest.fixture(scope="module")
def student_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The student repository of this course for ``URL``, and how ``release`` ended."""
    target = tmp_path_factory.mktemp("student") / "repo"
    done = autograder("release", "--student-repo", target, "--repository-url", URL)
    assert target.is_dir(), done.stderr
    return target, done


def workflow_steps(repo: Path) -> list[dict[str, Any]]:
    workflow = yaml.safe_load((repo / ".github" / "workflows" / "grade.yml").read_text())
    return workflow["jobs"]["grade"]["steps"]


def run_workflow(repo: Path, notebooks: list[str]) -> subprocess.CompletedProcess[str]:
    """The workflow's grading step, as grade.yml writes it, with NOTEBOOKS narrowed to ``notebooks``."""
    [step] = [s for s in workflow_steps(repo) if "grade.sh" in s.get("run", "")]
    assert "NOTEBOOKS" in step["env"]
    summary = repo.parent / "summary.md"
    summary.unlink(missing_ok=True)
    env = {**os.environ, "PYTHON": str(PYTHON), "NOTEBOOKS": " ".join(notebooks), "GITHUB_STEP_SUMMARY": str(summary)}
    env.pop("PYTHONPATH", None)
    return subprocess.run(shlex.split(step["run"]), cwd=repo, env=env, capture_output=True, text=True, timeout=900)


def write_notebooks(repo: Path, make: Any) -> list[str]:
    """Each run chapter's student notebook in ``repo`` replaced by ``make(chapter)``; their paths."""
    paths = [CHAPTERS[c].exercises_path for c in CHAPTERS_RUN]
    for chapter, path in zip(CHAPTERS_RUN, paths, strict=True):
        save(make(chapter), repo / path)
    return paths


def test_it_holds_the_book_notebooks_package_and_ci_but_no_solutions(student_repo: tuple[Path, Any]) -> None:
    repo, _ = student_repo
    for name in ("_config.yml", "_toc.yml", "intro.md", "references.bib", "README.md", "pyproject.toml",
                 "requirements-grader.txt", "requirements-student.txt", "autograder/__init__.py",
                 ".github/workflows/grade.yml", ".github/grade.sh", ".github/classroom/autograding.json"):  # fmt: skip
        assert (repo / name).is_file(), name
    for chapter in CHAPTERS.values():
        assert (repo / chapter.exercises_path).is_file() and (repo / "chapters" / chapter.slug / "index.md").is_file()
    assert not any((repo / name).exists() for name in ("solutions", "tests", "benchmarks", "DESIGN.md"))
    assert "[tool.pytest" not in (repo / "pyproject.toml").read_text()


def test_it_is_written_only_into_a_new_or_empty_folder(student_repo: tuple[Path, Any]) -> None:
    repo, _ = student_repo
    again = autograder("release", "--student-repo", repo)
    assert again.returncode == 2 and "is not empty" in again.stderr


def test_it_points_at_the_repository_the_instructor_named(student_repo: tuple[Path, Any]) -> None:
    repo, _ = student_repo
    where = course.from_config(repo / "_config.yml")  # launch buttons: the book's repository setting
    assert where.repository_url == URL
    assert json.loads((repo / "autograder" / "course.json").read_text())["repository_url"] == URL
    bootstrap = nbformat.read(repo / CHAPTERS["04"].exercises_path, as_version=4).cells[1]
    assert bootstrap.metadata.get("bootstrap") and f"git+{URL}" in bootstrap.source
    assert URL in (repo / "README.md").read_text() and where.book_url in (repo / "README.md").read_text()


def test_classroom_autograding_gives_each_exercise_its_points(student_repo: tuple[Path, Any]) -> None:
    repo, _ = student_repo
    tests = json.loads((repo / ".github" / "classroom" / "autograding.json").read_text())["tests"]
    assert [t["points"] for t in tests] == [e.points for e in EXERCISES.values()]
    assert all(t["run"].endswith(e.id) and t["timeout"] > 0 for t, e in zip(tests, EXERCISES.values(), strict=True))
    assert "requirements-student.txt" in tests[0]["setup"]


def test_no_line_of_a_solution_block_is_in_the_repository(student_repo: tuple[Path, Any]) -> None:
    repo, release = student_repo
    leaks = solution_leaks(repo, ROOT / "solutions")
    assert leaks == [], "\n".join(leaks)
    assert release.returncode == 0, release.stderr


@pytest.mark.notebooks
def test_the_workflow_fails_blank_notebooks_with_not_implemented(student_repo: tuple[Path, Any]) -> None:
    repo, _ = student_repo
    done = run_workflow(repo, write_notebooks(repo, blank))
    assert done.returncode != 0
    assert "NotImplementedError" in done.stdout
    summary = (repo.parent / "summary.md").read_text()
    assert "| `04.ema_update` | not-implemented | 0 / 1 |" in summary


@pytest.mark.notebooks
def test_the_workflow_passes_solved_notebooks(student_repo: tuple[Path, Any]) -> None:
    repo, _ = student_repo
    done = run_workflow(repo, write_notebooks(repo, lambda c: solved(blank(c), c)))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    summary = (repo.parent / "summary.md").read_text()
    for number in ("01", "04"):
        total = sum(e.points for e in EXERCISES.values() if e.id.startswith(number + "."))
        assert f"{CHAPTERS[number].exercises_path}`: {total:g} / {total:g} points" in summary
    assert "isolation" in summary
    classroom = subprocess.run(
        [PYTHON, "-m", "autograder.platforms.classroom", "exercise", "04.ema_update"],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    assert classroom.returncode == 0, classroom.stdout + classroom.stderr


@pytest.mark.notebooks
def test_the_workflow_names_keras_momentum(student_repo: tuple[Path, Any]) -> None:
    repo, _ = student_repo
    keras = {"04": lambda: answer(solved(blank("04"), "04"), "04.ema_update", KERAS_EMA_UPDATE)}
    done = run_workflow(repo, write_notebooks(repo, lambda c: keras[c]() if c in keras else solved(blank(c), c)))
    assert done.returncode != 0
    assert "keras-momentum" in done.stdout
    assert "| `04.ema_update` | failed | 0 / 1 | `keras-momentum` |" in (repo.parent / "summary.md").read_text()
    classroom = subprocess.run(
        [PYTHON, "-m", "autograder.platforms.classroom", "exercise", "04.ema_update"],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    assert classroom.returncode == 1 and "keras-momentum" in classroom.stdout
