"""Grading one answer in-process through check()'s own path: inline.run_cases, then verdict.judge.

``define`` runs student code given as source text in a fresh namespace, like a
notebook's, so answers that look each other up (bn_backward finds bn_forward) do.
"""

from __future__ import annotations

import textwrap
from typing import Any

import torch

from autograder import exercises, inline, probes, verdict
from autograder.catalog import EXERCISES
from autograder.report.model import ExerciseResult

PRELUDE = "import torch\nfrom torch import nn\nimport numpy as np\n"


def define(code: str) -> dict[str, Any]:
    """The namespace after running ``code`` (torch, nn and numpy imported), like a notebook's."""
    namespace: dict[str, Any] = {}
    exec(compile(PRELUDE + textwrap.dedent(code), "<student>", "exec"), namespace)
    return namespace


def grade(exercise_id: str, answer: Any, *, quick: bool = False) -> ExerciseResult:
    """The result of ``answer`` on every case (or the quick ones) of ``exercise_id``."""
    spec = exercises.spec(exercise_id)
    cases = spec.cases(quick=quick)
    outcome = inline.run_cases(probes.probe(spec.probe), answer, cases, 60.0)
    return verdict.judge(EXERCISES[exercise_id], spec, cases, outcome)


torch.set_num_threads(1)
