"""The report writers against their documented shapes."""

from __future__ import annotations

import csv
import io
import json

import pytest

from autograder.report import STATUSES, WRITERS, ExerciseResult, Grade


def sample_grades() -> list[Grade]:
    first = Grade(
        "subs/alice/01-covariate-shift.ipynb",
        [
            ExerciseResult("01.channel_moments", "passed", 1.0, 1.0, "All 9 cases match torch."),
            ExerciseResult(
                "01.standardize", "failed", 0.0, 1.0, "Case 6 of 9, x ...:\n  y: max abs error 2e-01", ["missing-eps"]
            ),
        ],
        chapter="01",
    )
    second = Grade(
        "subs/bob/02-derivation.ipynb",
        [
            ExerciseResult("02.bn_forward", "passed", 2.0, 2.0, "ok"),
            ExerciseResult("02.bn_backward", "not-implemented", 0.0, 3.0, "not implemented yet"),
            ExerciseResult("02.BatchNormFunction", "timeout", 0.0, 2.0, "took too long"),
        ],
        chapter="02",
    )
    unreadable = Grade("subs/carol/notes.ipynb", [], error="not a readable notebook", problem="unreadable")
    return [first, second, unreadable]


def test_json_one_notebook_is_the_contract_object() -> None:
    data = json.loads(WRITERS["json"](sample_grades()[:1]))
    assert set(data) == {"notebook", "score", "max_score", "exercises"}
    assert data["score"] == 1.0 and data["max_score"] == 2.0
    for exercise in data["exercises"]:
        assert set(exercise) == {"id", "status", "score", "max_score", "feedback", "misconceptions"}
        assert exercise["status"] in STATUSES
        assert isinstance(exercise["score"], float) and isinstance(exercise["misconceptions"], list)
    assert data["exercises"][1]["misconceptions"] == ["missing-eps"]


def test_json_several_notebooks_is_a_list_and_errors_are_kept() -> None:
    data = json.loads(WRITERS["json"](sample_grades()))
    assert isinstance(data, list) and [d["notebook"] for d in data] == [g.notebook for g in sample_grades()]
    assert data[2]["error"] == "not a readable notebook" and data[2]["exercises"] == []
    assert "error" not in data[0]


def test_csv_gradebook_has_a_column_per_exercise_and_a_row_per_notebook() -> None:
    rows = list(csv.reader(io.StringIO(WRITERS["csv"](sample_grades()))))
    header = rows[0]
    ids = ["01.channel_moments", "01.standardize", "02.bn_forward", "02.bn_backward", "02.BatchNormFunction"]
    assert header == ["student", "notebook", *ids, "total", "max_total", *(f"{i} status" for i in ids), "error"]
    assert len(rows) == 4
    alice = dict(zip(header, rows[1]))
    assert alice["student"] == "alice"  # from the folder: the file name is only the chapter's slug
    assert alice["01.channel_moments"] == "1" and alice["01.standardize"] == "0" and alice["02.bn_forward"] == ""
    assert alice["01.standardize status"] == "failed" and alice["02.bn_forward status"] == ""
    assert alice["total"] == "1" and alice["max_total"] == "2" and alice["error"] == ""
    assert dict(zip(header, rows[2]))["total"] == "2" and dict(zip(header, rows[2]))["max_total"] == "7"
    carol = dict(zip(header, rows[3]))
    assert carol["student"] == "notes" and carol["error"] == "not a readable notebook"


def test_gradescope_results_json_one_notebook() -> None:
    data = json.loads(WRITERS["gradescope"](sample_grades()[:1]))
    assert data["score"] == 1.0
    assert [t["name"] for t in data["tests"]] == ["01.channel_moments", "01.standardize"]
    for test in data["tests"]:
        assert {"name", "score", "max_score", "output", "status"} <= set(test)
        assert test["status"] in {"passed", "failed"}
    failed = data["tests"][1]
    assert failed["status"] == "failed" and "max abs error" in failed["output"] and failed["tags"] == ["missing-eps"]


def test_gradescope_refuses_several_notebooks_instead_of_summing_them() -> None:
    data = json.loads(WRITERS["gradescope"](sample_grades()))
    assert data["score"] == 0.0 and data["tests"] == []
    assert "one notebook per submission; 3 were given" in data["output"]


def test_text_report_shows_scores_statuses_and_feedback() -> None:
    text = WRITERS["text"](sample_grades())
    assert "subs/alice/01-covariate-shift.ipynb: 1 / 2" in text
    assert "01.standardize" in text and "failed" in text and "max abs error 2e-01" in text
    assert "not a readable notebook" in text
    assert "All 9 cases match torch." not in text  # feedback is shown for what did not pass


@pytest.mark.parametrize("form", sorted(WRITERS))
def test_every_writer_handles_no_exercises(form: str) -> None:
    assert WRITERS[form]([Grade("x.ipynb", [], error="cannot tell the chapter", problem="unreadable")])
