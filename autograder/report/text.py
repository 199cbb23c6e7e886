"""A readable report: per notebook, per exercise, with the feedback indented below."""

from __future__ import annotations

import textwrap

from autograder.report.model import Grade


def render(grades: list[Grade]) -> str:
    return "\n\n".join(_notebook(grade) for grade in grades) + "\n"


def _notebook(grade: Grade) -> str:
    lines = [f"{grade.notebook}: {grade.score:g} / {grade.max_score:g}"]
    if grade.error:
        lines.append(textwrap.indent(grade.error, "  ! "))
    width = max((len(e.id) for e in grade.exercises), default=0)
    for exercise in grade.exercises:
        points = f"{exercise.score:g}/{exercise.max_score:g}"
        lines.append(f"  {exercise.id:<{width}}  {exercise.status:<15} {points:>7}")
        if exercise.status != "passed" and exercise.feedback:
            lines.append(textwrap.indent(exercise.feedback, "      "))
    return "\n".join(lines)
