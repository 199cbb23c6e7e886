"""Turning the worker's messages into ``CaseOutcome`` / ``ExerciseOutcome`` (grader side).

The worker is the submission's process, so each field is checked for its type and
capped in size; anything else is a ``ProtocolError``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.misconceptions import MISCONCEPTIONS
from autograder.sandbox.api import CaseOutcome, ExerciseOutcome
from autograder.sandbox.protocol import ProtocolError
from autograder.types import RUN_STATUSES

MAX_TEXT = 8000


def text(header: dict[str, Any], key: str, *, limit: int = MAX_TEXT) -> str | None:
    """A string field (or None when absent), cut to ``limit`` characters."""
    value = header.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProtocolError(f"{key} must be a string")
    return value if len(value) <= limit else value[: limit - 3] + "..."


def case(header: dict[str, Any], arrays: dict[str, np.ndarray]) -> CaseOutcome:
    """One ``case`` message as a CaseOutcome."""
    has_outputs = header.get("outputs") is True
    if arrays and not has_outputs:
        raise ProtocolError("arrays sent with a case that has no outputs")
    misconceptions = header.get("misconceptions", [])
    if not isinstance(misconceptions, list):
        raise ProtocolError("misconceptions must be a list")
    return CaseOutcome(
        outputs=dict(arrays) if has_outputs else None,
        error=text(header, "error"),
        answer_error=text(header, "answer_error"),
        misconceptions=tuple(m for m in misconceptions if isinstance(m, str) and m in MISCONCEPTIONS),
        not_implemented=header.get("not_implemented") is True,
    )


def exercise(
    header: dict[str, Any], cases: list[CaseOutcome], expected_cases: int, stdout_limit: int
) -> ExerciseOutcome:
    """One ``result`` message, with the cases received before it, as an ExerciseOutcome."""
    status = header.get("status")
    routes = header.get("routes", [])
    if status not in RUN_STATUSES or not isinstance(routes, list) or not all(isinstance(r, str) for r in routes):
        raise ProtocolError("malformed result")
    routes = [r[:300] for r in routes[:50]]
    message = text(header, "message", limit=2000) or ""
    if status == "ran" and len(cases) != expected_cases:
        raise ProtocolError(f"the worker returned {len(cases)} of {expected_cases} cases")
    run_status = RUN_STATUSES[RUN_STATUSES.index(status)]
    if routes:
        run_status, message = "forbidden", "Forbidden, seen while the answer ran:"
    return ExerciseOutcome(run_status, message, cases, routes, text(header, "stdout", limit=stdout_limit) or "")
