"""Grading whole notebooks (with the in-process stand-in for the sandbox): statuses, chapters, files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from inprocess import run_in_process
from notebooks_for_tests import BLANK_STANDARDIZE, CHANNEL_MOMENTS, SETUP, STANDARDIZE, MakeNotebook

from autograder import grading
from autograder.exercises import chapter_exercises
from autograder.notebook.load import chapter_from_path, read
from autograder.report import Grade
from autograder.sandbox.api import ExerciseOutcome, RunRequest


def grade(path: Path) -> Grade:
    return grading.grade_notebook(path, runner=run_in_process)


def statuses(grade: Grade) -> dict[str, str]:
    return {e.id: e.status for e in grade.exercises}


def test_solved_notebook_scores_full_marks(solved_ch01: Path) -> None:
    result = grade(solved_ch01)
    assert statuses(result) == {"01.channel_moments": "passed", "01.standardize": "passed"}
    assert result.score == result.max_score == 2.0 and result.problem is None


def test_blank_notebook_is_not_implemented(blank_ch01: Path) -> None:
    grade = grading.grade_notebook(blank_ch01, runner=run_in_process)
    assert set(statuses(grade).values()) == {"not-implemented"} and grade.score == 0.0


def test_grading_never_writes_the_notebook(solved_ch01: Path) -> None:
    before = hashlib.sha256(solved_ch01.read_bytes()).hexdigest()
    mtime = solved_ch01.stat().st_mtime_ns
    solved_ch01.chmod(0o444)
    grading.grade_notebook(solved_ch01, runner=run_in_process)
    assert hashlib.sha256(solved_ch01.read_bytes()).hexdigest() == before
    assert solved_ch01.stat().st_mtime_ns == mtime


def test_every_exercise_of_the_chapter_appears(make_notebook: MakeNotebook) -> None:
    path = make_notebook("01-partial.ipynb", [SETUP, STANDARDIZE])
    grade = grading.grade_notebook(path, runner=run_in_process)
    assert [e.id for e in grade.exercises] == [e.id for e in chapter_exercises("01")]
    assert statuses(grade) == {"01.channel_moments": "missing", "01.standardize": "passed"}


def test_wrong_answer_fails_with_feedback_and_misconceptions(make_notebook: MakeNotebook) -> None:
    wrong = STANDARDIZE.replace("torch.sqrt(var + eps)", "(torch.sqrt(var) + eps)")
    grade = grading.grade_notebook(
        make_notebook("01-wrong.ipynb", [SETUP, CHANNEL_MOMENTS, wrong]), runner=run_in_process
    )
    result = grade.exercises[1]
    assert result.status == "failed" and result.misconceptions == ["eps-outside-sqrt"]
    assert "Case " in result.feedback and "max abs error" in result.feedback and "tolerance" in result.feedback


def test_error_in_the_answer(make_notebook: MakeNotebook) -> None:
    broken = "def channel_moments(x):\n    return 1 / 0"
    grade = grading.grade_notebook(
        make_notebook("01-error.ipynb", [SETUP, broken, BLANK_STANDARDIZE]), runner=run_in_process
    )
    assert statuses(grade) == {"01.channel_moments": "error", "01.standardize": "not-implemented"}
    assert "ZeroDivisionError" in grade.exercises[0].feedback


def test_forbidden_api_is_caught_before_running(make_notebook: MakeNotebook) -> None:
    cheat = (
        "import torch.nn.functional as F\ndef standardize(x, eps=1e-5):\n"
        "    return F.batch_norm(x, None, None, training=True, eps=eps)"
    )
    ran: list[list[str]] = []

    def runner(request: RunRequest) -> dict[str, ExerciseOutcome]:
        ran.append([c.exercise_id for c in request.calls])
        return run_in_process(request)

    grade = grading.grade_notebook(make_notebook("01-cheat.ipynb", [SETUP, CHANNEL_MOMENTS, cheat]), runner=runner)
    assert statuses(grade) == {"01.channel_moments": "passed", "01.standardize": "forbidden"}
    assert "batch_norm" in grade.exercises[1].feedback
    assert ran == [["01.channel_moments"]]


@pytest.mark.parametrize("status", ["missing", "error", "timeout", "forbidden"])
def test_runner_statuses_pass_through(solved_ch01: Path, status: str) -> None:
    def runner(request: RunRequest) -> dict[str, ExerciseOutcome]:
        return {c.exercise_id: ExerciseOutcome(status, f"it was {status}") for c in request.calls}

    grade = grading.grade_notebook(solved_ch01, runner=runner)
    assert set(statuses(grade).values()) == {status}
    assert all(f"it was {status}" in e.feedback for e in grade.exercises)


def test_forbidden_route_seen_at_run_time(solved_ch01: Path) -> None:
    def runner(request: RunRequest) -> dict[str, ExerciseOutcome]:
        found = run_in_process(request)
        found["01.standardize"] = ExerciseOutcome(
            "ran", cases=found["01.standardize"].cases, forbidden_routes=["aten::native_batch_norm"]
        )
        return found

    grade = grading.grade_notebook(solved_ch01, runner=runner)
    assert statuses(grade)["01.standardize"] == "forbidden" and "aten::native_batch_norm" in grade.exercises[1].feedback


@pytest.mark.parametrize("content", [b"not json at all", b'{"a": 1}', b"[1, 2]", b"\xff\xfe\x00"])
def test_unreadable_notebook_with_a_known_chapter(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "chapters" / "01-covariate-shift" / "exercises.ipynb"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    result = grade(path)
    assert result.problem == "unreadable" and result.error
    assert statuses(result) == {"01.channel_moments": "missing", "01.standardize": "missing"}


def test_unreadable_notebook_without_a_chapter(tmp_path: Path) -> None:
    path = tmp_path / "homework.ipynb"
    path.write_text("garbage")
    result = grade(path)
    assert result.problem == "unreadable" and result.exercises == [] and "not a readable notebook" in result.error


def test_chapter_cannot_be_told(make_notebook: MakeNotebook) -> None:
    grade = grading.grade_notebook(make_notebook("homework.ipynb", ["x = 1"], chapter=None), runner=run_in_process)
    assert grade.problem == "unreadable" and "cannot tell which chapter" in grade.error


def test_chapter_from_metadata_then_path_then_names(make_notebook: MakeNotebook, tmp_path: Path) -> None:
    assert read(make_notebook("03-axes.ipynb", ["x = 1"], chapter="02")).chapter() == "02"
    assert read(make_notebook("03-axes.ipynb", ["x = 1"], chapter=None)).chapter() == "03"
    assert read(make_notebook("chapters/04-ema/exercises.ipynb", ["x = 1"], chapter=None)).chapter() == "04"
    by_names = make_notebook("mine.ipynb", ["def fold_bn(bn):\n    pass", "fuse_conv_bn = None"], chapter=None)
    assert read(by_names).chapter() == "06"
    capstone = make_notebook("capstone.ipynb", ["class BatchNorm2d:\n    pass"], chapter=None)
    assert read(capstone).chapter() == "08"
    assert chapter_from_path(tmp_path / "99-nothing.ipynb") is None


def test_missing_spec_is_an_internal_error(make_notebook: MakeNotebook, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_specs(chapter: str) -> None:
        raise KeyError(f"no grader specs for chapter {chapter}: autograder.grader.specs.ch01 does not exist yet")

    monkeypatch.setattr(grading, "chapter_specs", no_specs)
    grade = grading.grade_notebook(make_notebook("01-x.ipynb", [SETUP, CHANNEL_MOMENTS]), runner=run_in_process)
    assert grade.problem == "internal" and set(statuses(grade).values()) == {"error"}
    assert "does not exist yet" in grade.exercises[0].feedback


def test_a_crashing_runner_is_an_internal_error(solved_ch01: Path) -> None:
    def runner(request: RunRequest) -> dict[str, ExerciseOutcome]:
        raise RuntimeError("sandbox exploded")

    grade = grading.grade_notebook(solved_ch01, runner=runner)
    assert grade.problem == "internal" and "sandbox exploded" in grade.error
    assert set(statuses(grade).values()) == {"error"}


def test_what_a_wrong_answer_printed_is_shown(solved_ch01: Path) -> None:
    def runner(request: RunRequest) -> dict[str, ExerciseOutcome]:
        return {
            c.exercise_id: ExerciseOutcome("error", "raised ValueError", stdout="debug: shape (4, 3)\n")
            for c in request.calls
        }

    grade = grading.grade_notebook(solved_ch01, runner=runner)
    assert all("Your code printed:\n    debug: shape (4, 3)" in e.feedback for e in grade.exercises)


def test_a_notebook_changed_during_grading_loses_every_exercise(tmp_path: Path) -> None:
    """Verified, not assumed: the file's bytes are compared before and after grading."""
    path = tmp_path / "01-covariate-shift.ipynb"
    path.write_text(Path(__file__).parents[1].joinpath("solutions/01-covariate-shift.ipynb").read_text())

    def tampering_runner(request: RunRequest) -> dict[str, ExerciseOutcome]:
        outcomes = run_in_process(request)
        path.write_text(path.read_text() + " ")
        return outcomes

    grade = grading.grade_notebook(path, runner=tampering_runner)
    assert grade.problem == "tampered" and grade.score == 0
    assert {e.status for e in grade.exercises} == {"forbidden"}
