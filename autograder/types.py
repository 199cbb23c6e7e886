"""The types both sides share: case data, mismatches, statuses. A leaf: imports no autograder module.

The grader side (``autograder.grader``) and the submission side (``autograder.submission``)
exchange only these: a ``Case`` goes to the probe as plain arrays and JSON-able params,
``Arrays`` come back, and a ``Mismatch`` says where they differ from torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np

Arrays = dict[str, np.ndarray]
Params = dict[str, Any]  # JSON-able scalars, strings, lists and dicts only


@dataclass(frozen=True)
class Case:
    """One seeded input to an exercise, sent to the probe as plain data."""

    label: str  # what a student reads: "x (1, 3, 5, 5) float32 channels_last, eps=1e-5"
    inputs: Arrays  # tensors' data (the probe rebuilds tensors from them)
    params: Params = field(default_factory=dict)  # flags, eps, momentum, layouts, op sequences
    quick: bool = False  # one of the few cases check() runs in a notebook


@dataclass(frozen=True)
class Mismatch:
    """Where a student's answer first differs from the reference."""

    output: str  # which output / buffer: "y", "running_var", "dx"
    detail: str  # "max abs error 3.1e-02 at channel 1 (tolerance rtol=1e-4, atol=1e-5)"


# An exercise's status in a grade (docs/interface.md).
Status = Literal["passed", "failed", "not-implemented", "missing", "error", "timeout", "forbidden"]
STATUSES: tuple[Status, ...] = get_args(Status)

# What running one exercise in the sandbox gave: "ran" (its cases ran) or why it could not run.
RunStatus = Literal["ran", "missing", "error", "timeout", "forbidden"]
RUN_STATUSES: tuple[RunStatus, ...] = get_args(RunStatus)
