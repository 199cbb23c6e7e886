"""Assignment versions: a notebook released before an exercise existed is graded without it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from autograder.catalog import CHAPTERS, chapter_exercises

from .submissions import ROOT, answered, autograder, read, release_without, solved_source, write


@pytest.fixture(scope="module")
def early(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A student's chapter 01 notebook, released before `standardize` was added, with channel_moments solved."""
    root = tmp_path_factory.mktemp("course")
    released = release_without(root, "standardize")
    notebook = answered(read(released), {"01.channel_moments": solved_source("01.channel_moments")})
    return write(notebook, tmp_path_factory.mktemp("subs") / "01-erik.ipynb")


def test_release_records_the_exercises_it_released() -> None:
    for chapter in CHAPTERS.values():  # the committed student notebooks record their chapter's exercises
        recorded = read(ROOT / chapter.exercises_path).metadata["bn_course"]["exercises"]
        tagged = [c.metadata["exercise"] for c in read(ROOT / chapter.solution_path).cells if "exercise" in c.metadata]
        assert recorded == tagged


def test_graded_on_the_exercises_it_was_released_with(early: Path) -> None:
    done = autograder("grade", early, "--format", "json")
    assert done.returncode == 0, done.stderr
    grade = json.loads(done.stdout)
    assert [(e["id"], e["status"]) for e in grade["exercises"]] == [("01.channel_moments", "passed")]
    assert grade["score"] == grade["max_score"] == 1.0
    assert grade["not_released"] == ["01.standardize"]
    assert grade["student"] == "erik"


def test_text_and_csv_say_not_part_of_this_release(early: Path) -> None:
    text = autograder("grade", early)
    assert text.returncode == 0, text.stderr
    assert f"{early}: 1 / 1" in text.stdout
    assert [line.split() for line in text.stdout.splitlines() if "01.standardize" in line] == [
        ["01.standardize", "not", "part", "of", "this", "release"]
    ]
    table = autograder("grade", early, "--format", "csv")
    [row] = list(csv.DictReader(io.StringIO(table.stdout)))
    assert row["01.standardize status"] == "not-released" and row["01.standardize"] == ""
    assert row["01.channel_moments status"] == "passed" and row["total"] == row["max_total"] == "1"


def test_without_the_record_the_whole_chapter_is_graded(early: Path, tmp_path: Path) -> None:
    notebook = read(early)
    del notebook.metadata["bn_course"]["exercises"]
    unrecorded = write(notebook, tmp_path / "01-erik.ipynb")
    done = autograder("grade", unrecorded, "--format", "json")
    grade = json.loads(done.stdout)
    assert [e["id"] for e in grade["exercises"]] == [e.id for e in chapter_exercises("01")]
    assert {e["id"]: e["status"] for e in grade["exercises"]}["01.standardize"] == "missing"
    assert grade["max_score"] == 2.0 and "not_released" not in grade
