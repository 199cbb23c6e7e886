"""The contract's JSON: one object for one notebook, a list for several."""

from __future__ import annotations

import json

from autograder.report.model import Grade


def render(grades: list[Grade]) -> str:
    data = [grade.to_dict() for grade in grades]
    return json.dumps(data[0] if len(data) == 1 else data, indent=2) + "\n"
