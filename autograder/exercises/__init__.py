"""Exercise specs (grader side), collected from the chapter modules ``chNN.py``.

Each chapter module declares ``SPECS: list[ExerciseSpec]``; see ``ch01.py`` for the
layout. ``spec(id)`` imports only that chapter's module; ``SPECS`` (id -> spec) imports
them all. Importing this package itself is light: ``base`` does not pull in any chapter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from autograder.registry import ChapterModules

if TYPE_CHECKING:
    from autograder.exercises.base import ExerciseSpec

MODULES = ChapterModules(__name__)


def spec(exercise_id: str) -> ExerciseSpec:
    """The spec of ``exercise_id``; KeyError saying why when its chapter module has none."""
    chapter = exercise_id.split(".")[0]
    module = MODULES.module(chapter)
    if module is None:
        raise KeyError(f"no grader spec for {exercise_id}: {MODULES.errors[chapter]}")
    for candidate in module.SPECS:
        if candidate.id == exercise_id:
            return candidate
    raise KeyError(f"no grader spec for {exercise_id} in {module.__name__}")


def __getattr__(name: str) -> dict[str, ExerciseSpec]:
    if name == "SPECS":
        return {s.id: s for module in MODULES.all() for s in module.SPECS}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
