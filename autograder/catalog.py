"""The course catalog in one place: the chapters, and every exercise as its declaration gives it.

``CHAPTERS``, ``Chapter`` and ``Exercise`` come from ``autograder.chapters``; ``EXERCISES``
(id -> Exercise), ``chapter_exercises`` and ``exercise_by_name`` from
``autograder.exercises``, which collects the exercises' declarations (grader side).
"""

from __future__ import annotations

from autograder import exercises
from autograder.chapters import BOOK_URL, CHAPTERS, REPOSITORY_URL, Chapter, Exercise
from autograder.exercises import chapter_exercises, exercise_by_name

__all__ = [
    "BOOK_URL",
    "CHAPTERS",
    "REPOSITORY_URL",
    "Chapter",
    "Exercise",
    "chapter_exercises",
    "exercise_by_name",
]


def __getattr__(name: str) -> dict[str, Exercise]:
    if name == "EXERCISES":  # collected when asked for: a chapter module may be edited meanwhile
        return exercises.all_exercises()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
