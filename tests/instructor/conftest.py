"""A class's folder of mixed chapter 01 submissions, graded once through the real CLI."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .submissions import (
    BLANK,
    EPS_OUTSIDE,
    SOLUTION,
    UNBIASED,
    WRONG_DIMS,
    answered,
    autograder,
    read,
    release_without,
    solved_source,
    write,
)

SOLVED_MOMENTS = solved_source("01.channel_moments")

# file in the folder -> (student id the documented rule gives, statuses, misconceptions named)
EXPECTED: dict[str, tuple[str, dict[str, str], set[str]]] = {
    "alice/01-covariate-shift.ipynb": ("alice", {"01.channel_moments": "passed", "01.standardize": "passed"}, set()),
    "bob_01-covariate-shift.ipynb": (
        "bob",
        {"01.channel_moments": "passed", "01.standardize": "failed"},
        {"eps-outside-sqrt"},
    ),
    "01-carol.ipynb": (
        "carol",
        {"01.channel_moments": "failed", "01.standardize": "failed"},
        {"wrong-reduction-dims", "unbiased-normalization"},
    ),
    "dave/exercises.ipynb": (
        "dave",
        {"01.channel_moments": "not-implemented", "01.standardize": "not-implemented"},
        set(),
    ),
    "erin.ipynb": ("erin", {"01.channel_moments": "missing", "01.standardize": "missing"}, set()),  # not JSON
    # released before standardize was added to the chapter
    "frank_01-covariate-shift.ipynb": ("frank", {"01.channel_moments": "passed"}, set()),
}


@dataclass(frozen=True)
class Graded:
    folder: Path
    json_run: subprocess.CompletedProcess[str]
    csv_run: subprocess.CompletedProcess[str]
    grades_file: Path
    gradebook: Path
    feedback: Path

    def grades(self) -> dict[str, dict[str, Any]]:
        """The JSON grades keyed by file name relative to the folder."""
        data = json.loads(self.grades_file.read_text())
        return {Path(g["notebook"]).relative_to(self.folder).as_posix(): g for g in data}


def make_folder(folder: Path, course: Path) -> None:
    write(read(SOLUTION), folder / "alice/01-covariate-shift.ipynb")
    write(answered(read(SOLUTION), {"01.standardize": EPS_OUTSIDE}), folder / "bob_01-covariate-shift.ipynb")
    carol = answered(read(SOLUTION), {"01.channel_moments": WRONG_DIMS, "01.standardize": UNBIASED})
    write(carol, folder / "01-carol.ipynb")
    write(read(BLANK), folder / "dave/exercises.ipynb")
    (folder / "erin.ipynb").write_text("{ this is not a notebook", encoding="utf-8")
    frank = answered(read(release_without(course, "standardize")), {"01.channel_moments": SOLVED_MOMENTS})
    write(frank, folder / "frank_01-covariate-shift.ipynb")


@pytest.fixture(scope="package")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Graded:
    work = tmp_path_factory.mktemp("class")
    folder = work / "submissions"
    make_folder(folder, work / "course")
    grades, gradebook, feedback = work / "grades.json", work / "gradebook.csv", work / "feedback"
    common = ("--chapter", "01", "--jobs", "2", "--timeout", "240")
    json_run = autograder("grade", folder, "--format", "json", "--out", grades, "--feedback-dir", feedback, *common)
    csv_run = autograder("grade", folder, "--format", "csv", "--out", gradebook, *common)
    return Graded(folder, json_run, csv_run, grades, gradebook, feedback)
