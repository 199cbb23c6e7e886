"""Probes (submission side), registered under their exercise's id by the chapter modules ``chNN.py``.

Each chapter module declares ``PROBES: dict[str, Probe]`` keyed by exercise id
("04.ema_update"); see ``ch01.py``. ``probe(id)`` imports only that chapter's module.
Nothing here imports ``autograder.grader``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograder.registry import ChapterModules
from autograder.types import Arrays

Probe = Callable[[Any, Arrays, dict[str, Any]], Arrays]
MODULES = ChapterModules(__name__)


def probe(exercise_id: str) -> Probe:
    """The probe of ``exercise_id`` ("01.channel_moments"); KeyError saying why when absent."""
    chapter = exercise_id.split(".")[0]
    module = MODULES.module(chapter)
    if module is None:
        raise KeyError(f"no probe for {exercise_id}: {MODULES.errors[chapter]}")
    probes: dict[str, Probe] = module.PROBES
    if exercise_id not in probes:
        raise KeyError(f"no probe for {exercise_id} in {module.__name__}")
    return probes[exercise_id]
