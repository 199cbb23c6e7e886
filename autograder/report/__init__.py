"""Grades and how they are written: the model and one writer per ``--format``."""

from __future__ import annotations

from collections.abc import Callable

from autograder.report import as_json, gradebook, gradescope, text
from autograder.report.model import STATUSES, ExerciseResult, Grade, Status

WRITERS: dict[str, Callable[[list[Grade]], str]] = {
    "text": text.render,
    "json": as_json.render,
    "csv": gradebook.render,
    "gradescope": gradescope.render,
}

__all__ = ["STATUSES", "WRITERS", "ExerciseResult", "Grade", "Status"]
