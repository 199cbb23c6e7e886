"""The Gradescope upload, unpacked into a folder laid out like /autograder and run as Gradescope runs it.

``python -m autograder gradescope --chapter 04`` makes the zip; ``setup.sh`` and
``run_autograder`` run with ``AUTOGRADER_ROOT`` pointing at a temporary root and
``BN_GRADER_PYTHON`` at this project's venv (which has the grader's pins). Each
submission's results.json is checked against Gradescope's schema and the expected scores.
"""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import nbformat
import pytest

from autograder.catalog import chapter_exercises

from .helpers import KERAS_EMA_UPDATE, PYTHON, ROOT, answer, autograder, blank, hiding_bwrap, prepend, save, solved

CHAPTER = "04"
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


@pytest.fixture(scope="module")
def upload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("upload") / "autograder.zip"
    made = autograder("gradescope", "--chapter", CHAPTER, "--out", out)
    assert made.returncode == 0, made.stderr
    return out


def autograder_root(upload: Path, root: Path, *submitted: nbformat.NotebookNode, names: tuple[str, ...] = ()) -> Path:
    """``root`` laid out like /autograder: the unpacked upload in source/, the notebooks in submission/."""
    with zipfile.ZipFile(upload) as archive:
        archive.extractall(root / "source")
    (root / "submission").mkdir()
    for index, notebook in enumerate(submitted):
        save(notebook, root / "submission" / (names[index] if names else f"exercises-{index}.ipynb"))
    return root


def run_script(root: Path, script: str, *args: str, hide_bwrap: bool = False) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "BN_GRADER_PYTHON": str(PYTHON), "PIP_NO_INDEX": "1"}
    env = hiding_bwrap(env, root) if hide_bwrap else env
    return subprocess.run(
        ["/bin/bash", str(root / "source" / script), *args], env=env, capture_output=True, text=True, timeout=600
    )


def graded(root: Path, *args: str, hide_bwrap: bool = False) -> dict[str, Any]:
    done = run_script(root, "run_autograder", *args, hide_bwrap=hide_bwrap)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    check_schema(results)
    return results


def check_schema(results: dict[str, Any]) -> None:
    """Gradescope's documented results.json: the keys, their types, and the score as the sum of the tests."""
    assert isinstance(results["score"], float) and isinstance(results["output"], str)
    assert results["visibility"] in VISIBILITIES and results["stdout_visibility"] in VISIBILITIES
    tests = results["tests"]
    assert [t["name"] for t in tests] == [e.id for e in chapter_exercises(CHAPTER)]
    assert [t["max_score"] for t in tests] == [float(e.points) for e in chapter_exercises(CHAPTER)]
    for test in tests:
        assert {"name", "score", "max_score", "output", "visibility", "status"} <= set(test)
        assert test["visibility"] in VISIBILITIES and test["status"] in {"passed", "failed"}
        assert isinstance(test["output"], str) and 0 <= test["score"] <= test["max_score"]
    assert results["score"] == sum(t["score"] for t in tests)


def statuses(results: dict[str, Any]) -> list[str]:
    """Our status of each test (the first line of its output)."""
    return [t["output"].splitlines()[0] for t in results["tests"]]


def test_the_zip_holds_what_gradescope_runs(upload: Path) -> None:
    with zipfile.ZipFile(upload) as archive:
        names = set(archive.namelist())
        modes = {name: archive.getinfo(name).external_attr >> 16 for name in ("setup.sh", "run_autograder")}
        requirements = archive.read("requirements-grader.txt").decode()
        assignment = json.loads(archive.read("assignment.json"))
        readme = archive.read("README.md").decode()
    assert {"setup.sh", "run_autograder", "README.md", "autograder/__init__.py", "autograder/course.json"} <= names
    assert all(mode & 0o111 for mode in modes.values()), modes
    assert requirements == (ROOT / "requirements-grader.txt").read_text()
    assert assignment == {"chapter": CHAPTER}
    assert not any(name.startswith(("solutions/", "tests/")) or name.endswith(".ipynb") for name in names)
    assert "## Which sandbox, and why" in readme and "chapter 04 (Running statistics)" in readme


def test_setup_installs_the_grader_requirements(upload: Path, tmp_path: Path) -> None:
    root = autograder_root(upload, tmp_path)
    done = run_script(root, "setup.sh")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"the grader in {root / 'source' / 'autograder'}" in done.stdout
    assert "this upload grades chapter 04 (Running statistics)" in done.stdout


def test_a_solved_notebook_scores_full_marks(upload: Path, tmp_path: Path) -> None:
    results = graded(autograder_root(upload, tmp_path, solved(blank(CHAPTER), CHAPTER)))
    exercises = chapter_exercises(CHAPTER)
    assert results["score"] == sum(e.points for e in exercises) and statuses(results) == ["passed"] * len(exercises)
    assert results["extra_data"]["isolation"] == "bubblewrap"
    assert "Graded with bubblewrap isolation." in results["output"]


def test_a_blank_notebook_scores_zero(upload: Path, tmp_path: Path) -> None:
    results = graded(autograder_root(upload, tmp_path, blank(CHAPTER)))
    assert results["score"] == 0.0 and statuses(results) == ["not-implemented"] * len(chapter_exercises(CHAPTER))


def test_a_keras_momentum_answer_is_named(upload: Path, tmp_path: Path) -> None:
    wrong = answer(solved(blank(CHAPTER), CHAPTER), "04.ema_update", KERAS_EMA_UPDATE)
    results = graded(autograder_root(upload, tmp_path, wrong))
    ema, running, debias, population = results["tests"]
    assert ema["score"] == 0.0 and ema["tags"] == ["keras-momentum"] and "keras-momentum" in ema["output"]
    # update_running_stats calls the student's ema_update: graded on its own part, the mistake charged once
    assert running["status"] == "passed" and "charged to 04.ema_update" in running["output"]
    assert debias["status"] == population["status"] == "passed"
    assert results["score"] == running["max_score"] + debias["max_score"] + population["max_score"]


@pytest.mark.adversarial
@pytest.mark.parametrize("hide_bwrap", [False, True], ids=["bubblewrap", "process"])
def test_a_hostile_notebook_cannot_forge_its_results(upload: Path, tmp_path: Path, hide_bwrap: bool) -> None:
    """It writes results.json itself, reads the grader's references, and loops forever: none of it pays."""
    root = tmp_path
    forged = json.dumps({"score": 100.0, "tests": []})
    hostile = solved(blank(CHAPTER), CHAPTER)
    hostile = prepend(
        hostile,
        f"import pathlib\nresults = pathlib.Path({str(root / 'results')!r})\nresults.mkdir(exist_ok=True)\n"
        f"(results / 'results.json').write_text({forged!r})\n(results / 'forged').write_text('written')",
    )
    hostile = answer(
        hostile,
        "04.update_running_stats",
        "def update_running_stats(running_mean, running_var, num_batches_tracked, x, momentum=0.1):\n"
        "    bn = nn.BatchNorm2d(x.shape[1], momentum=momentum)  # the grader's reference, as its spec reads\n"
        "    bn.running_mean, bn.running_var, bn.num_batches_tracked = running_mean, running_var, num_batches_tracked\n"
        "    bn.train()(x)\n"
        "    return bn.running_mean, bn.running_var, bn.num_batches_tracked\n",
    )
    endless = "def ema_debias(running, init, num_updates, momentum):\n    while True:\n        pass\n"
    hostile = answer(hostile, "04.ema_debias", endless)
    hostile = answer(
        hostile,
        "04.population_stats",
        "import importlib.util\n"
        "GRADER = open(importlib.util.find_spec('autograder.grader.specs.ch04').origin).read()  # the grader's spec\n"
        "def population_stats(batches):\n    return batches[0].mean((0, 2, 3)), batches[0].var((0, 2, 3))\n",
    )
    results = graded(autograder_root(upload, root, hostile), "--exercise-timeout", "10", hide_bwrap=hide_bwrap)
    assert statuses(results) == ["passed", "forbidden", "timeout", "forbidden"] and results["score"] == 1.0
    isolation = "process" if hide_bwrap else "bubblewrap"
    assert results["extra_data"]["isolation"] == isolation
    # Without bubblewrap the forged file really was written (the sandbox was really absent), then replaced.
    assert (root / "results" / "forged").exists() == hide_bwrap


def test_a_notebook_of_another_chapter_is_refused(upload: Path, tmp_path: Path) -> None:
    results = graded(autograder_root(upload, tmp_path, solved(blank("02"), "02")))
    assert results["score"] == 0.0
    assert "chapter 02's notebook" in results["output"] and "chapters/04-ema/exercises.ipynb" in results["output"]
    assert all(t["output"].startswith("not graded: ") for t in results["tests"])


def test_several_notebooks_or_none_are_refused(upload: Path, tmp_path: Path) -> None:
    twice = autograder_root(
        upload, tmp_path / "twice", blank(CHAPTER), solved(blank(CHAPTER), CHAPTER), names=("a.ipynb", "b.ipynb")
    )
    results = graded(twice)
    assert (
        results["score"] == 0.0
        and "exactly one notebook" in results["output"]
        and "a.ipynb, b.ipynb" in results["output"]
    )
    nothing = graded(autograder_root(upload, tmp_path / "nothing"))
    assert nothing["score"] == 0.0 and "no .ipynb file" in nothing["output"]


def test_required_sandbox_refuses_to_grade_without_bubblewrap(upload: Path, tmp_path: Path) -> None:
    results = graded(
        autograder_root(upload, tmp_path, solved(blank(CHAPTER), CHAPTER)), "--sandbox", "required", hide_bwrap=True
    )
    assert results["score"] == 0.0 and "bubblewrap (bwrap) is not installed" in results["output"]
