"""Student ids from notebook paths: the documented rule and --id-pattern."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from autograder import cli
from autograder.report.feedback import file_name
from autograder.report.students import IdPatternError, from_file_name, id_rule


@pytest.mark.parametrize(
    ("path", "student"),
    [
        ("subs/alice_01-covariate-shift.ipynb", "alice"),
        ("subs/01-bob.ipynb", "bob"),
        ("subs/carol/exercises.ipynb", "carol"),
        ("subs/dave/04-ema.ipynb", "dave"),
        ("alice/chapters/04-ema/exercises.ipynb", "alice"),
        ("subs/04-ema-erin.ipynb", "erin"),
        ("subs/frank.ipynb", "frank"),
        ("subs/smith_john_04-ema_v2.ipynb", "smith_john_v2"),
        ("Exercises.ipynb", "Exercises"),  # nothing is left anywhere: the file name as it is
    ],
)
def test_the_file_name_rule(path: str, student: str) -> None:
    assert from_file_name(path) == student


def test_an_id_pattern_takes_its_group_and_falls_back_with_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    rule = id_rule(r"(?P<id>[a-z]+)_\d+_\d+_")
    assert rule("canvas/smithjohn_12345_67890_04-ema.ipynb") == "smithjohn"
    assert rule("subs/alice/04-ema.ipynb") == "alice"
    assert "does not match subs/alice/04-ema.ipynb" in capsys.readouterr().err


@pytest.mark.parametrize("pattern", [r"(?P<name>\w+)", r"(unclosed"])
def test_an_unusable_id_pattern_is_refused(pattern: str) -> None:
    with pytest.raises(IdPatternError):
        id_rule(pattern)


def test_feedback_file_names_are_safe() -> None:
    assert file_name("../x y") == "_x_y"
    assert file_name("ann-lee.2") == "ann-lee.2"


def test_id_pattern_and_chapter_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "smithjohn_12345_67890_notes.ipynb"
    broken.write_text("{", encoding="utf-8")
    pattern = r"(?P<id>[a-z]+)_\d+_\d+_"
    assert cli.main(["grade", str(broken), "--format", "csv", "--chapter", "01", "--id-pattern", pattern]) == 3
    [row] = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert row["student"] == "smithjohn"
    assert row["01.channel_moments status"] == row["01.standardize status"] == "missing"
    assert row["max_total"] == "2" and "not a readable notebook" in row["error"]
    assert cli.main(["grade", str(broken), "--id-pattern", "(?P<name>x)"]) == 2
    assert "named group `id`" in capsys.readouterr().err
