"""Gradescope's ``results.json`` (https://gradescope-autograders.readthedocs.io/en/latest/specs/).

One test per exercise: ``name`` (the exercise id), ``score``, ``max_score``,
``status`` ("passed" or "failed"), ``output`` (our status and feedback) and
``tags`` (misconception ids); ``score`` is the total. Gradescope grades one
submission per results.json, so when several notebooks are graded together (a
submission holding several chapters), they are merged into one: each test name is
prefixed with its notebook's file name and the score is the sum over notebooks.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autograder.report.model import Grade


def render(grades: list[Grade]) -> str:
    several = len(grades) > 1
    tests: list[dict[str, Any]] = []
    for grade in grades:
        prefix = f"{Path(grade.notebook).name}: " if several else ""
        if grade.error:
            tests.append({"name": f"{prefix}notebook", "score": 0.0, "max_score": 0.0, "status": "failed", "output": grade.error})
        for e in grade.exercises:
            output = e.status if e.status == "passed" else f"{e.status}\n\n{e.feedback}".rstrip()
            tests.append(
                {
                    "name": prefix + e.id,
                    "score": e.score,
                    "max_score": e.max_score,
                    "status": "passed" if e.status == "passed" else "failed",
                    "output": output,
                    "tags": list(e.misconceptions),
                }
            )
    results = {
        "score": sum(g.score for g in grades),
        "output": "\n".join(f"{g.notebook}: {g.score:g} / {g.max_score:g}" for g in grades),
        "tests": tests,
    }
    return json.dumps(results, indent=2) + "\n"
