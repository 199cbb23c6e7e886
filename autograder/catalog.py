"""The course catalog in one place: the chapters, and every exercise as its declaration gives it.

``CHAPTERS``, ``Chapter`` and ``Exercise`` come from ``autograder.chapters`` (light);
``EXERCISES`` (id -> Exercise), ``chapter_exercises`` and ``exercise_by_name`` from
``autograder.exercises``, which collects the exercises' declarations (grader side, with
torch) and is imported only when one of them is used.
"""

from __future__ import annotations

from autograder.chapters import BOOK_URL, CHAPTERS, REPOSITORY_URL, Chapter, Exercise

__all__ = ["BOOK_URL", "CHAPTERS", "REPOSITORY_URL", "Chapter", "Exercise", "chapter_exercises", "exercise_by_name"]


def chapter_exercises(number: str) -> list[Exercise]:
    """The exercises of chapter ``number``, in order (``autograder.exercises.chapter_exercises``)."""
    from autograder import exercises

    return exercises.chapter_exercises(number)


def exercise_by_name(name: str) -> Exercise:
    """The exercise a student's function or class name belongs to (``autograder.exercises.exercise_by_name``)."""
    from autograder import exercises

    return exercises.exercise_by_name(name)


def __getattr__(name: str) -> dict[str, Exercise]:
    if name == "EXERCISES":  # collected when asked for
        from autograder import exercises

        return exercises.all_exercises()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
