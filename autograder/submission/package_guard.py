"""Watching, inside the worker, for a submission that reaches into the autograder package.

An answer may take ``check`` and ``score`` from ``autograder`` and nothing else
(``autograder.static.package_use`` reads the code for it). What the code computes at
run time is seen here:

- an audit hook (``sys.addaudithook``: once added it cannot be removed) records the
  imports of the package's modules and the opening of its files that the submission's
  own code does (the innermost frame that is not a library's or the worker's is a cell);
- ``answer_routes`` looks at the answer object itself: a class built on one of the
  package's classes, or a function or class that comes from the package.

Each record keeps the cell whose code did it and the exercise being driven at the time
(if any), so an exercise is charged for what code of its own cell or the cells before
it did, whenever it ran, and for whatever happened while its answer was driven.

The grader's side of the package (references, wrong variants, declarations) is never
needed in the worker, so the hook also refuses it to anyone there: importing
``autograder.grader`` or ``autograder.exercises`` raises ImportError and opening a file
under ``autograder/grader/`` raises PermissionError. With bubblewrap that folder is
empty as well (``autograder.sandbox.bwrap``).
"""

from __future__ import annotations

import inspect
import os
import sys
from types import FrameType
from typing import Any

from autograder.static.package_use import is_package_path
from autograder.submission.watch import location, submission_frame

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.realpath(__file__))) + os.sep  # autograder/
GRADER_SIDE_DIR = PACKAGE_DIR + "grader" + os.sep
GRADER_SIDE_MODULES = ("autograder.grader", "autograder.exercises")
_GRADER_SIDE_PARTS = [module.split(".") for module in GRADER_SIDE_MODULES]
_EVENTS = frozenset({"import", "open"})
_DISPLAY = (f"{os.sep}warnings.py", f"{os.sep}traceback.py", f"{os.sep}ultratb.py")


class PackageGuard:
    """An audit hook that records the submission's uses of the package, by where they happened."""

    def __init__(self, worker_paths: tuple[str, ...]) -> None:
        self.worker_paths = worker_paths  # the worker's and probes' own files: not the submission's
        self.exercise: str | None = None  # the exercise whose answer is being driven, if any
        self.records: list[tuple[str, str | None, str]] = []  # (code's file "<cell 3>", exercise, route)
        self._frame = sys._getframe  # bound now: the submission may replace sys._getframe later
        sys.addaudithook(self._hook)

    def routes_of(self, exercise_id: str, cells: set[str]) -> list[str]:
        """What code of these cells did, and what happened while this exercise was driven; each once."""
        found = (route for code, during, route in self.records if code in cells or during == exercise_id)
        return list(dict.fromkeys(found))

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if event not in _EVENTS or not args:
            return
        target = _target(event, args[0])
        if target is None:
            return
        frame = self._frame(1)
        if not (event == "open" and _displaying_source(frame)):
            where = submission_frame(frame, self.worker_paths)
            if where is not None:
                route = f"{_route(event, target)} ({location(where)})"
                self.records.append((where.f_code.co_filename, self.exercise, route))
        _refuse_the_grader_side(event, target)


def _target(event: str, argument: Any) -> str | None:
    """The package's module imported, or the package's file opened (its resolved path), else None."""
    if event == "import":
        return argument if isinstance(argument, str) and is_package_path(argument) else None
    if not isinstance(argument, (str, bytes)):
        return None  # a file descriptor
    path = os.path.realpath(os.fsdecode(argument))
    return path if path.startswith(PACKAGE_DIR) else None


def _route(event: str, target: str) -> str:
    return f"import of {target}" if event == "import" else f"reading the package's file {target[len(PACKAGE_DIR) :]}"


def _refuse_the_grader_side(event: str, target: str) -> None:
    """Raise when the event would import or read the grader's side of the package."""
    if event == "import" and target.split(".")[:2] in _GRADER_SIDE_PARTS:
        raise ImportError(f"{target} is the grader's side of autograder: it cannot be imported here")
    if event == "open" and target.startswith(GRADER_SIDE_DIR):
        raise PermissionError(f"{target} is the grader's side of autograder: it cannot be read here")


def _displaying_source(frame: FrameType | None) -> bool:
    """Whether a file is opened to show source lines in a warning or a traceback (not to read it)."""
    while frame is not None:
        if frame.f_code.co_filename.endswith(_DISPLAY):
            return True
        frame = frame.f_back
    return False


def answer_routes(answer: Any) -> list[str]:
    """Why the answer object itself is the package's: its class's bases, or where it was defined."""
    routes = []
    for base in inspect.getmro(answer)[1:] if isinstance(answer, type) else ():
        if is_package_path(getattr(base, "__module__", "")):
            routes.append(f"{answer.__name__} is built on {base.__module__}.{base.__qualname__}")
    module = getattr(answer, "__module__", None)
    if isinstance(module, str) and is_package_path(module):
        routes.append(f"the answer is {module}.{getattr(answer, '__qualname__', '?')}, the package's own")
    code = getattr(answer, "__code__", None)
    filename = getattr(code, "co_filename", "")
    if isinstance(filename, str) and os.path.realpath(filename).startswith(PACKAGE_DIR):
        routes.append(f"the answer's code comes from the package's file {filename}")
    return routes
