"""What every exercise spec provides. Specs run in the GRADER's process only.

A spec turns an exercise id into seeded test cases, computes what torch answers for
each case (the reference), compares the student's answer with it, and names the
misconceptions that explain a wrong answer. The student's code never runs here: its
outputs arrive as plain numpy arrays produced by the matching probe
(``autograder/probes``), which runs in the submission's process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

Arrays = dict[str, np.ndarray]
Params = dict[str, Any]  # JSON-able scalars, strings, lists and dicts only


@dataclass(frozen=True)
class Case:
    """One seeded input to an exercise, sent to the probe as plain data."""

    label: str  # what a student reads: "x (1, 3, 5, 5) float32 channels_last, eps=1e-5"
    inputs: Arrays  # tensors' data (the probe rebuilds tensors from them)
    params: Params = field(default_factory=dict)  # flags, eps, momentum, layouts, op sequences


@dataclass(frozen=True)
class Mismatch:
    """Where a student's answer first differs from the reference."""

    output: str  # which output / buffer: "y", "running_var", "dx"
    detail: str  # "max abs error 3.1e-02 at channel 1 (tolerance rtol=1e-4, atol=1e-5)"


class ExerciseSpec:
    """Base class of an exercise spec; one subclass per exercise id."""

    id: str  # "02.bn_forward", as in catalog.EXERCISES
    probe: str  # name of the child-side probe in autograder.probes.PROBES

    def cases(self, quick: bool = False) -> list[Case]:
        """Seeded, varied cases; ``quick`` (inline check) keeps a small, telling subset."""
        raise NotImplementedError

    def reference(self, case: Case) -> Arrays:
        """What torch's own modules produce for this case, as arrays keyed like the probe's."""
        raise NotImplementedError

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        """First difference between the answer and the reference, or None when they agree."""
        from autograder.compare import compare_arrays

        return compare_arrays(got, want)

    def diagnose(self, case: Case, got: Arrays) -> list[str]:
        """Misconception ids (docs/interface.md) that explain ``got`` on this failing case."""
        return []
