"""The class report's numbers and page on small hand-made grades: the reach-out rule at its edges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autograder.report.class_report import GradesUnreadable, read_grades, render
from autograder.report.class_stats import LOW_SCORE, MANY_MISCONCEPTIONS, summarize
from autograder.report.model import ExerciseResult, Grade


def grade(
    student: str, passed: int, failed: int, misconceptions: tuple[str, ...] = (), error: str | None = None
) -> Grade:
    results = [ExerciseResult(f"01.x{i}", "passed", 1.0, 1.0, "") for i in range(passed)]
    results += [ExerciseResult(f"01.y{i}", "failed", 0.0, 1.0, "", list(misconceptions)) for i in range(failed)]
    return Grade(f"subs/{student}.ipynb", results, "01", error, "unreadable" if error else None, student=student)


def test_reach_out_rule_edges() -> None:
    assert LOW_SCORE == 0.5 and MANY_MISCONCEPTIONS == 2  # the values docs/interface.md states
    grades = [
        grade("half", 1, 1, ("missing-eps",)),  # 50 %: not below, one misconception
        grade("low", 1, 2),  # 33 %
        grade("two", 3, 1, ("missing-eps", "eps-outside-sqrt")),  # 75 %, two misconceptions
        grade("broken", 0, 0, error="not a readable notebook"),
    ]
    listed = [s.student for s in summarize(grades).reach_out()]
    assert listed == ["broken", "low", "two"]  # nothing gradable first, then by score


def test_census_counts_students_once_per_misconception() -> None:
    summary = summarize([grade("a", 0, 2, ("missing-eps",)), grade("b", 0, 1, ("missing-eps",))])
    [census] = summary.misconceptions
    assert census.id == "missing-eps" and census.students == ["a", "b"]
    assert census.exercises == {"01.y0": 2, "01.y1": 1}


def test_report_of_nothing_gradable_still_renders(tmp_path: Path) -> None:
    page = render([grade("broken", 0, 0, error="not a readable notebook")])
    assert "Class report" in page and "broken" in page and "No answer matched a known misconception." in page
    path = tmp_path / "grades.json"
    path.write_text(
        json.dumps(
            [
                {
                    "notebook": "x.ipynb",
                    "score": 0,
                    "max_score": 1,
                    "exercises": [{"id": "01.standardize", "status": "sleeping", "score": 0, "max_score": 1}],
                }
            ]
        )
    )
    with pytest.raises(GradesUnreadable, match="unknown status"):
        read_grades(path)
