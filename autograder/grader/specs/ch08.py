"""Chapter 08 spec: ``08.capstone``, the student's ``BatchNorm2d`` inside the capstone CNN.

The probe trains ``capstone_model.DigitsCNN`` built with the student's class; the
reference trains the same model, same seed, with ``torch.nn.BatchNorm2d``. Compared:
the loss of every step, both BN layers' parameters and buffers after training, and
the eval-mode test logits.

Tolerances (measured, two correct from-scratch classes against torch, 40 steps):
float64 runs agree to 1e-14 (relative), so the default float64 tolerance (1e-7) has a
wide margin; float32 runs agree to ~1e-6 on the losses and statistics and ~7e-6
(absolute) on logits of magnitude ~10, because rounding differences of one step
(~1e-7) grow only mildly over 40 SGD steps at lr 0.02. ``compare_outputs`` allows
1e-4 relative plus 1e-5 times each array's largest magnitude, 100 times that noise,
while the smallest semantic mistake moves the float32 logits by 5e-3 (a biased running
variance) and the losses by 2e-2 (eps left out, or the n-1 variance).
"""

from __future__ import annotations

from functools import partial

from torch import nn

from autograder.grader.compare import changed_dtype, compare_outputs
from autograder.grader.flawed_module import flawed_batchnorm2d, misconception
from autograder.grader.specs.base import ExerciseSpec, Variant, matching_variant
from autograder.submission.probes.modules import train_capstone
from autograder.types import Arrays, Case, Mismatch

# The flaws that can show with the capstone's BatchNorm2d(C) defaults (momentum 0.1, affine,
# tracked): those that change training, and those that only change what eval mode sees.
TRAINING_FLAWS = (
    "running-stats-in-training:after-update",
    "running-stats-in-training:before-update",
    "ignores-affine",
    "unbiased-normalization",
    "missing-eps",
    "eps-outside-sqrt",
)
EVAL_FLAWS = (
    "batch-stats-in-eval",
    "updates-in-eval",
    "updates-in-eval:before-normalizing",
    "batch-count-wrong:never",
    "batch-count-wrong:batch-size",
    "updates-in-eval:count-only",
    "keras-momentum",
    "biased-running-var",
    "missing-eps:eval",
)
# The output that differs first -> the module's behaviour at fault, said in the feedback.
_STATISTICS = (
    "the running statistics: their update in training mode (momentum, the unbiased variance), or a change in eval mode"
)
AT_FAULT = {
    "training losses": "the training-mode forward (batch statistics, eps, gamma and beta) or its gradients",
    "running_mean": _STATISTICS,
    "running_var": _STATISTICS,
    "num_batches_tracked": "the batch count: once per training forward, never in eval mode",
    "weight": "gamma after training: its gradient",
    "bias": "beta after training: its gradient",
    "eval logits": "evaluation mode: normalizing with the running statistics, with eps inside the square root",
}

# dtype, seed, steps, quick
_RUNS = [("float64", 0, 30, True), ("float32", 1, 40, False)]


class Capstone(ExerciseSpec):
    id = "08.capstone"
    name = "BatchNorm2d"
    points = 5
    section = "sec-capstone-grading"
    summary = "your `BatchNorm2d` from chapter 5, trained in the capstone's network exactly as `torch.nn.BatchNorm2d`"
    misconceptions = tuple(dict.fromkeys(misconception(f) for f in TRAINING_FLAWS + EVAL_FLAWS)) + ("dtype-changed",)

    def make_cases(self) -> list[Case]:
        return [
            Case(
                f"DigitsCNN with your BatchNorm2d, {dtype}, seed {seed}: {steps} training steps of 32 images, then "
                f"eval",
                {},
                {"dtype": dtype, "seed": seed, "steps": steps, "batch_size": 32},
                quick,
            )
            for dtype, seed, steps, quick in _RUNS
        ]

    def reference(self, case: Case) -> Arrays:
        return train_capstone(nn.BatchNorm2d, case.inputs, case.params)

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        """The first output that differs, with the behaviour of the module it points to."""
        mismatch = compare_outputs(got, want)
        if mismatch is None:
            return None
        behaviour = AT_FAULT.get(mismatch.output.rsplit(".", 1)[-1])
        if behaviour is None:
            return mismatch
        return Mismatch(mismatch.output, f"{mismatch.detail}\n  What differs first is {behaviour}.")

    def diagnose(self, case: Case, got: Arrays) -> list[str]:
        """The flawed class that trains like the answer (float64 runs only: a float32 one says the same)."""
        want = self.reference(case)
        found = ["dtype-changed"] if changed_dtype(got, want) else []
        if case.params["dtype"] != "float64":
            return found
        losses = "training losses"
        trains_right = compare_outputs(got, want, [losses]) is None
        variants = [
            Variant(
                (misconception(f),),
                partial(train_capstone, flawed_batchnorm2d(frozenset([f])), case.inputs, case.params),
            )
            for f in (EVAL_FLAWS if trains_right else TRAINING_FLAWS)
        ]
        return found + matching_variant(got, variants, compare_outputs)


SPECS: list[ExerciseSpec] = [Capstone()]
