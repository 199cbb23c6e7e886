"""A class's folder graded by `grade --format json|csv --feedback-dir`: ids, statuses, unreadable rows, feedback."""

from __future__ import annotations

import csv
from pathlib import Path

from autograder.catalog import EXERCISES
from autograder.misconceptions import MISCONCEPTIONS

from .conftest import EXPECTED, Graded


def test_both_runs_exit_3_because_one_file_is_not_a_notebook(graded: Graded) -> None:
    for run in (graded.json_run, graded.csv_run):
        assert run.returncode == 3, run.stderr[-3000:]
        assert run.stdout == ""


def test_json_grades_have_student_ids_and_statuses(graded: Graded) -> None:
    grades = graded.grades()
    assert sorted(grades) == sorted(EXPECTED)
    for name, (student, statuses, misconceptions) in EXPECTED.items():
        grade = grades[name]
        assert grade["student"] == student
        assert {e["id"]: e["status"] for e in grade["exercises"]} == statuses, grade
        assert {m for e in grade["exercises"] for m in e["misconceptions"]} == misconceptions, grade
        assert grade["score"] == sum(e["max_score"] for e in grade["exercises"] if e["status"] == "passed")


def test_an_unreadable_notebook_gets_every_exercise_of_the_given_chapter(graded: Graded) -> None:
    erin = graded.grades()["erin.ipynb"]
    assert "not a readable notebook" in erin["error"]
    assert erin["max_score"] == EXERCISES["01.channel_moments"].points + EXERCISES["01.standardize"].points
    assert erin["score"] == 0


def test_gradebook_rows_have_ids_points_statuses_and_errors(graded: Graded) -> None:
    with graded.gradebook.open(newline="") as handle:
        reader = csv.DictReader(handle)
        rows = {row["student"]: row for row in reader}
        header = reader.fieldnames
    ids = ["01.channel_moments", "01.standardize"]
    assert header == ["student", "notebook", *ids, "total", "max_total", *(f"{i} status" for i in ids), "error"]
    assert sorted(rows) == sorted(student for student, _, _ in EXPECTED.values())
    json_grades = {g["student"]: g for g in graded.grades().values()}
    for student, row in rows.items():
        grade = json_grades[student]
        assert Path(row["notebook"]) == Path(grade["notebook"])
        for result in grade["exercises"]:
            assert row[result["id"]] == f"{result['score']:g}"
            assert row[f"{result['id']} status"] == result["status"]
        assert (row["total"], row["max_total"]) == (f"{grade['score']:g}", f"{grade['max_score']:g}")
        assert row["error"] == grade.get("error", "").split("\n")[0]
    assert rows["erin"]["error"] and rows["erin"]["01.standardize status"] == "missing"
    assert rows["frank"]["01.standardize status"] == "not-released" and rows["frank"]["01.standardize"] == ""


def test_one_feedback_file_per_student(graded: Graded) -> None:
    files = {p.name: p.read_text(encoding="utf-8") for p in graded.feedback.iterdir()}
    assert sorted(files) == sorted(f"{student}.md" for student, _, _ in EXPECTED.values())
    for student, statuses, misconceptions in EXPECTED.values():
        text = files[f"{student}.md"]
        assert text.startswith(f"# Feedback for {student}\n")
        for exercise_id, status in statuses.items():
            assert f"| [{exercise_id}]({EXERCISES[exercise_id].url}) | {status} |" in text
        for misconception in misconceptions:
            assert f"**{misconception}**: {MISCONCEPTIONS[misconception].explanation}" in text
            assert f"({MISCONCEPTIONS[misconception].url})" in text
    [wrong] = [e for e in graded.grades()["bob_01-covariate-shift.ipynb"]["exercises"] if e["status"] == "failed"]
    assert wrong["feedback"].strip() in files["bob.md"]  # the grader's own feedback, whole
    assert "not part of this release" in files["frank.md"]
    assert "could not be graded normally" in files["erin.md"]
