"""Reading a submitted notebook without ever writing it: code cells, chapter, exercise cells."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from autograder.chapters import CHAPTERS, Exercise
from autograder.exercises import chapter_exercises
from autograder.static.source import binds, defining_cell

_NUMBERED = re.compile(r"^(\d\d)-")


class NotebookUnreadable(Exception):
    """The file is not a notebook that can be graded (not UTF-8, not JSON, not nbformat)."""


@dataclass(frozen=True)
class Notebook:
    path: Path
    code_cells: list[str]
    metadata: dict[str, Any] = field(default_factory=dict)
    exercise_tags: dict[str, int] = field(default_factory=dict)  # exercise id -> index in code_cells

    def chapter(self) -> str | None:
        """The chapter number: from the metadata, else the path, else the names it defines."""
        course = self.metadata.get("bn_course")
        declared = str(course.get("chapter", "")).zfill(2) if isinstance(course, dict) else ""
        if declared in CHAPTERS:
            return declared
        return chapter_from_path(self.path) or self._chapter_from_names()

    def released(self, chapter: str) -> tuple[list[Exercise], list[str]]:
        """The chapter's exercises this notebook was released with, and the ids of the others.

        Release records the ids in ``bn_course.exercises``; a notebook without that record
        (or with a malformed one) was released with the whole chapter.
        """
        everything = chapter_exercises(chapter)
        course = self.metadata.get("bn_course")
        record = course.get("exercises") if isinstance(course, dict) else None
        if not isinstance(record, list) or not all(isinstance(i, str) for i in record):
            return everything, []
        return [e for e in everything if e.id in record], [e.id for e in everything if e.id not in record]

    def exercise_cell(self, exercise: Exercise) -> int | None:
        """Index of the code cell defining the exercise's name (the last one), else of its tagged cell."""
        index = defining_cell(self.code_cells, exercise.name) if exercise.name else None
        return self.exercise_tags.get(exercise.id) if index is None else index

    def _chapter_from_names(self) -> str | None:
        """The chapter whose exercise names the notebook defines the largest share of."""
        best, best_share = None, 0.0
        for number in CHAPTERS:
            try:
                names = [e.name for e in chapter_exercises(number)]
            except KeyError:  # a chapter whose declarations are broken cannot be recognized by its names
                continue
            defined = sum(any(binds(cell, name) for cell in self.code_cells) for name in names)
            share = defined / len(names) if names else 0.0
            if share > best_share:
                best, best_share = number, share
        return best


def chapter_from_path(path: Path) -> str | None:
    """The chapter a path names: ``NN-slug.ipynb`` or ``chapters/NN-slug/...`` (nearest part first)."""
    for part in (path.name, *(p.name for p in path.parents)):
        match = _NUMBERED.match(part)
        if match and match[1] in CHAPTERS:
            return match[1]
    return None


def read(path: Path) -> Notebook:
    """The notebook at ``path``, opened read-only; NotebookUnreadable when it is not one."""
    try:
        text = path.read_bytes().decode("utf-8")
        node = nbformat.reads(text, as_version=4, capture_validation_error={})
        cells = list(node.cells)
        metadata = dict(node.get("metadata") or {})
    except OSError as error:
        raise NotebookUnreadable(f"cannot read {path}: {error.strerror or error}") from error
    except Exception as error:  # nbformat raises many kinds on malformed input
        raise NotebookUnreadable(f"{path} is not a readable notebook: {error}") from error
    code: list[str] = []
    tags: dict[str, int] = {}
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(str(line) for line in source)
        if not isinstance(source, str):
            raise NotebookUnreadable(f"{path} is not a readable notebook: a code cell's source is not text")
        exercise_id = (cell.get("metadata") or {}).get("exercise")
        if isinstance(exercise_id, str):
            tags[exercise_id] = len(code)
        code.append(source)
    return Notebook(path, code, metadata, tags)
