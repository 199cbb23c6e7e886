"""The CSV gradebook (``--format csv``): one row per notebook, for an LMS import.

Columns, in order (docs/interface.md, "Gradebook CSV"):

- ``student`` (the id of ``autograder/report/students.py``) and ``notebook`` (the path);
- one column of points per exercise, named by its id (``02.bn_forward``);
- ``total`` and ``max_total``;
- one status column per exercise, ``<id> status``: a status of the contract, or
  ``not-released`` for an exercise added to the chapter after the notebook was released;
- ``error``: the first line of why the notebook could not be graded normally, else empty.

Exercise columns are those of every chapter graded, in the catalog's order; the cells
of an exercise a notebook was not graded on (another chapter, or not released) are
empty in the points column.
"""

from __future__ import annotations

import csv
import io

from autograder import catalog
from autograder.report.model import Grade
from autograder.report.students import from_file_name

NOT_RELEASED = "not-released"


def render(grades: list[Grade]) -> str:
    ids = _exercise_ids(grades)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "notebook", *ids, "total", "max_total", *(f"{i} status" for i in ids), "error"])
    for grade in grades:
        points = {e.id: f"{e.score:g}" for e in grade.exercises}
        statuses = {e.id: e.status for e in grade.exercises} | {i: NOT_RELEASED for i in grade.not_released}
        writer.writerow(
            [
                grade.student or from_file_name(grade.notebook),
                grade.notebook,
                *(points.get(i, "") for i in ids),
                f"{grade.score:g}",
                f"{grade.max_score:g}",
                *(statuses.get(i, "") for i in ids),
                grade.error.splitlines()[0] if grade.error else "",
            ]
        )
    return out.getvalue()


def _exercise_ids(grades: list[Grade]) -> list[str]:
    """The ids of every chapter graded (catalog order), then any id the catalog does not know."""
    chapters = {g.chapter for g in grades if g.chapter} | {e.id.split(".")[0] for g in grades for e in g.exercises}
    known = [e.id for number in sorted(chapters) for e in catalog.chapter_exercises(number)]  # declared, when written
    seen = {e.id for g in grades for e in g.exercises} | {i for g in grades for i in g.not_released}
    return known + sorted(seen - set(known))
