"""Every exercise of the course, collected from the exercises' declarations (grader side).

``chapter_exercises("04")`` imports only chapter 04's spec module; ``EXERCISES`` (id ->
``Exercise``, in chapter order) imports them all, skipping a broken one.
"""

from __future__ import annotations

from autograder.chapters import Exercise
from autograder.grader import specs
from autograder.misconceptions import MISCONCEPTIONS, Misconception


def chapter_exercises(number: str) -> list[Exercise]:
    """The exercises of one chapter, in order; KeyError saying why when its declarations are broken."""
    return [s.exercise() for s in specs.chapter_specs(number)]


def exercise(exercise_id: str) -> Exercise:
    """The exercise ``exercise_id``; KeyError when no chapter declares it."""
    return specs.spec(exercise_id).exercise()


def exercise_by_name(name: str) -> Exercise:
    """The exercise a student's function or class name belongs to (not the capstone)."""
    matches = [e for e in all_exercises().values() if e.name == name and e.id != "08.capstone"]
    if not matches:
        raise KeyError(f"no exercise defines a function or class named {name!r}")
    return matches[0]


def all_exercises() -> dict[str, Exercise]:
    """Every exercise whose chapter module imports, by id, in chapter order."""
    return {s.id: s.exercise() for s in specs.all_specs()}


def misconceptions() -> dict[str, Misconception]:
    """The shared misconceptions and those an exercise declares, by id."""
    declared = {m.id: m for s in specs.all_specs() for m in s.defines}
    return {**MISCONCEPTIONS, **declared}


def __getattr__(name: str) -> dict[str, Exercise]:
    if name == "EXERCISES":
        return all_exercises()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
