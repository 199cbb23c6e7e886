"""Probes (submission side), collected from the chapter modules ``chNN.py``.

Each chapter module declares ``PROBES: dict[str, probe]`` with keys ``"chNN.name"``; see
``ch01.py``. ``probe(key)`` imports only that chapter's module; ``PROBES`` imports them
all. Nothing here imports ``autograder.exercises``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograder.registry import ChapterModules

Probe = Callable[..., dict[str, Any]]
MODULES = ChapterModules(__name__)


def probe(key: str) -> Probe:
    """The probe named ``key`` ("ch01.channel_moments"); KeyError saying why when absent."""
    chapter = key.split(".")[0].removeprefix("ch")
    module = MODULES.module(chapter)
    if module is None:
        raise KeyError(f"no probe {key}: {MODULES.errors[chapter]}")
    if key not in module.PROBES:
        raise KeyError(f"no probe {key} in {module.__name__}")
    return module.PROBES[key]


def __getattr__(name: str) -> dict[str, Probe]:
    if name == "PROBES":
        return {key: fn for module in MODULES.all() for key, fn in module.PROBES.items()}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
