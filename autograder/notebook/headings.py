"""The text of a notebook that comes from the exercises' declarations: points and the list of exercises.

Release writes it into the student notebook; a solution notebook must already agree
(``problems``), so a changed ``points`` cannot leave a stale "(2 points)" behind:

- the markdown cell just before an exercise's code cell starts with a heading that
  ends with the exercise's points, "(1 point)" or "(3 points)";
- the title cell's numbered list of exercises, when it has one, names the chapter's
  exercises in order (``1. `ema_update` ...``). The student notebook gets the list
  generated from the declarations: ``1. `name` (N points): summary``.

Release also refuses a solution notebook with code cells that never ran: its stored
outputs are what ``pytest --nbval`` compares, and ``make solutions`` refreshes them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import nbformat

from autograder.chapters import Exercise

_POINTS = re.compile(r"\s*\(\d+(?:\.\d+)? points?\)\s*$")
_ITEM = re.compile(r"^(\d+)\. (.*)$")
_NAME = re.compile(r"^`([A-Za-z_][A-Za-z_0-9]*)`")


def points_text(points: float) -> str:
    """ "(1 point)", "(2 points)", "(1.5 points)"."""
    return f"({points:g} point{'' if points == 1 else 's'})"


def exercise_list(exercises: Sequence[Exercise]) -> str:
    """The numbered list of a chapter's exercises, from their declarations."""
    return "\n".join(f"{i}. `{e.name}` {points_text(e.points)}: {e.summary}." for i, e in enumerate(exercises, start=1))


def problems(nb: nbformat.NotebookNode, exercises: Sequence[Exercise], path: str) -> list[str]:
    """Where a solution notebook disagrees with the declarations, or was not run; [] when it agrees."""
    found = []
    headings = _task_headings(nb)
    for exercise in exercises:
        index = headings.get(exercise.id)
        if index is None:
            found.append(f"{path}: no markdown cell with a heading before the cell of {exercise.id}")
            continue
        heading = nb.cells[index].source.splitlines()[0]
        if not heading.endswith(" " + points_text(exercise.points)):
            found.append(
                f"{path}: the heading of {exercise.id} must end with {points_text(exercise.points)}: {heading!r}"
            )
    listed = [_NAME.match(text) for _, text in _list_items(_title(nb))]
    names = [m[1] if m else "?" for m in listed]
    if names and names != [e.name for e in exercises]:
        found.append(f"{path}: the title cell lists {names}, the chapter declares {[e.name for e in exercises]}")
    never_ran = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.execution_count is None]
    if never_ran:
        found.append(f"{path}: cells {never_ran} were never run; run `make solutions` to execute the solutions")
    return found


def apply(nb: nbformat.NotebookNode, exercises: Sequence[Exercise]) -> None:
    """Write the declared points into the task headings and the generated list into the title cell."""
    for exercise in exercises:
        index = _task_headings(nb).get(exercise.id)
        if index is not None:
            lines = nb.cells[index].source.splitlines()
            lines[0] = _POINTS.sub("", lines[0]) + " " + points_text(exercise.points)
            nb.cells[index].source = "\n".join(lines)
    title = _title(nb)
    if title is None:
        return
    lines = title.source.splitlines()
    items = [i for i, _ in _list_items(title)]
    generated = exercise_list(exercises).splitlines()
    if items:
        end = items[-1] + 1
        while end < len(lines) and lines[end].startswith("   "):
            end += 1
        lines[items[0] : end] = generated
    else:
        lines += ["", "The exercises:", "", *generated]
    title.source = "\n".join(lines)


def _title(nb: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    return nb.cells[0] if nb.cells and nb.cells[0].cell_type == "markdown" else None


def _list_items(title: nbformat.NotebookNode | None) -> list[tuple[int, str]]:
    """(line index, text) of the title cell's numbered list items."""
    if title is None:
        return []
    return [(i, m[2]) for i, line in enumerate(title.source.splitlines()) if (m := _ITEM.match(line))]


def _task_headings(nb: nbformat.NotebookNode) -> dict[str, int]:
    """Exercise id -> index of the markdown cell before its code cell, when that cell starts with a heading."""
    found = {}
    for index, cell in enumerate(nb.cells):
        exercise_id = cell.metadata.get("exercise") if cell.cell_type == "code" else None
        before = nb.cells[index - 1] if index else None
        if exercise_id and before is not None and before.cell_type == "markdown" and before.source.startswith("#"):
            found[exercise_id] = index - 1
    return found
