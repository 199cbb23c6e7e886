"""The exercises' declarations (grader side), one module per chapter: ``chNN.py``.

Each chapter module declares ``SPECS: list[ExerciseSpec]`` (see ``ch01.py`` for the
layout and ``DESIGN.md`` for the recipe). ``spec(id)`` and ``chapter_specs(number)``
import only that chapter's module, so a broken module fails only its own chapter;
``all_specs()`` imports them all.
"""

from __future__ import annotations

from autograder.grader.specs.base import ExerciseSpec
from autograder.registry import ChapterModules

MODULES = ChapterModules(__name__)


def chapter_specs(chapter: str) -> list[ExerciseSpec]:
    """The specs of chapter ``chapter`` ("04"), in order; KeyError saying why when its module is broken."""
    module = MODULES.module(chapter)
    if module is None:
        raise KeyError(f"no grader specs for chapter {chapter}: {MODULES.errors[chapter]}")
    specs: list[ExerciseSpec] = module.SPECS
    return specs


def spec(exercise_id: str) -> ExerciseSpec:
    """The spec of ``exercise_id``; KeyError saying why when its chapter module has none."""
    for candidate in chapter_specs(exercise_id.split(".")[0]):
        if candidate.id == exercise_id:
            return candidate
    raise KeyError(f"no grader spec for {exercise_id} in {MODULES.package}.ch{exercise_id.split('.')[0]}")


def all_specs() -> list[ExerciseSpec]:
    """Every spec of every chapter module that imports, in chapter order."""
    return [s for module in MODULES.all() for s in module.SPECS]
