"""Collecting what the per-chapter modules declare, one chapter at a time.

``autograder.grader.specs`` and ``autograder.submission.probes`` each hold one module per chapter,
``chNN.py``, that declares module-level data (``SPECS`` list, ``PROBES`` dict). A
chapter module is imported only when something of that chapter is asked for; a
missing or broken module is recorded with the reason and never affects the others.
"""

from __future__ import annotations

import importlib
import threading
import traceback
from types import ModuleType

from autograder.chapters import CHAPTERS


class ChapterModules:
    """The ``chNN`` modules of one package, imported on demand and cached."""

    def __init__(self, package: str) -> None:
        self.package = package
        self.errors: dict[str, str] = {}  # chapter number -> why its module is unavailable
        self._modules: dict[str, ModuleType] = {}
        self._lock = threading.RLock()  # a chapter module may look up another chapter while importing

    def module(self, chapter: str) -> ModuleType | None:
        """The module of ``chapter`` ("01"), or None when it is absent or broken (see ``errors``)."""
        with self._lock:
            if chapter not in self._modules and chapter not in self.errors:
                self._load(chapter)
            return self._modules.get(chapter)

    def all(self) -> list[ModuleType]:
        """Every chapter module that imports, in chapter order."""
        return [m for m in (self.module(number) for number in CHAPTERS) if m is not None]

    def _load(self, chapter: str) -> None:
        name = f"{self.package}.ch{chapter}"
        try:
            self._modules[chapter] = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                self.errors[chapter] = f"{name} failed to import: {error}"
            else:
                self.errors[chapter] = f"{name} does not exist yet"
        except Exception:  # a broken chapter module must not break the others
            self.errors[chapter] = f"{name} failed to import:\n{traceback.format_exc(limit=-3)}"
