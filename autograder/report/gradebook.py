"""A CSV gradebook: one row per notebook, one column per exercise id, then the totals.

Exercise columns are those of every chapter graded, in the catalog's order; a
notebook's cell is empty for exercises of other chapters.
"""

from __future__ import annotations

import csv
import io

from autograder import catalog
from autograder.report.model import Grade


def render(grades: list[Grade]) -> str:
    graded = {e.id for grade in grades for e in grade.exercises}
    declared = catalog.EXERCISES  # collected from the declarations when a gradebook is written
    ids = [i for i in declared if i in graded] + sorted(graded - declared.keys())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["notebook", *ids, "total", "max_total"])
    for grade in grades:
        scores = {e.id: f"{e.score:g}" for e in grade.exercises}
        writer.writerow([grade.notebook, *(scores.get(i, "") for i in ids), f"{grade.score:g}", f"{grade.max_score:g}"])
    return out.getvalue()
