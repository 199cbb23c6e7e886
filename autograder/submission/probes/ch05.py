"""Chapter 05 probes: ``BatchNorm2d`` runs programs, ``FrozenBatchNorm2d`` and ``freeze_batchnorm`` torch models.

The drivers are in ``modules``: the grader runs the same ones on torch's modules.
"""

from __future__ import annotations

from typing import Any

from autograder.submission.probes.frozen import freeze_batchnorm, frozen_batchnorm2d
from autograder.submission.probes.modules import run_program
from autograder.types import Arrays


def batchnorm2d(answer: Any, inputs: Arrays, params: dict[str, Any]) -> Arrays:
    return run_program(answer, inputs, params["ops"])


PROBES = {
    "05.BatchNorm2d": batchnorm2d,
    "05.FrozenBatchNorm2d": frozen_batchnorm2d,
    "05.freeze_batchnorm": freeze_batchnorm,
}
