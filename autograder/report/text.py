"""A readable report: per notebook, per exercise, with the feedback indented below.

Exercises the notebook was not released with come last, as "not part of this release".
"""

from __future__ import annotations

import textwrap

from autograder.report.model import Grade


def render(grades: list[Grade]) -> str:
    return "\n\n".join(_notebook(grade) for grade in grades) + "\n"


def _notebook(grade: Grade) -> str:
    lines = [f"{grade.notebook}: {grade.score:g} / {grade.max_score:g}"]
    if grade.error:
        lines.append(textwrap.indent(grade.error, "  ! "))
    width = max((len(i) for i in [*(e.id for e in grade.exercises), *grade.not_released]), default=0)
    for exercise in grade.exercises:
        points = f"{exercise.score:g}/{exercise.max_score:g}"
        lines.append(f"  {exercise.id:<{width}}  {exercise.status:<15} {points:>7}")
        if exercise.status != "passed" and exercise.feedback:
            lines.append(textwrap.indent(exercise.feedback, "      "))
    lines += [f"  {exercise_id:<{width}}  not part of this release" for exercise_id in grade.not_released]
    return "\n".join(lines)
