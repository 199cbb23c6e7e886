"""``--format gradescope``: Gradescope's ``results.json`` for one notebook (``autograder.platforms.gradescope``).

Gradescope grades one submission per results.json: several notebooks are not merged
(a notebook uploaded twice would count twice) but refused, with zero points and a message.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograder.platforms.gradescope import refused, results_for
from autograder.report.model import Grade


def render(grades: list[Grade]) -> str:
    if len(grades) == 1:
        results = results_for(grades[0])
    else:
        names = ", ".join(Path(g.notebook).name for g in grades)
        results = refused(f"Gradescope grades one notebook per submission; {len(grades)} were given: {names}.", None)
    return json.dumps(results, indent=2) + "\n"
