"""The misconceptions the grader can name, with the contract's ids (docs/interface.md)."""

from __future__ import annotations

from dataclasses import dataclass

from autograder.chapters import CHAPTERS


@dataclass(frozen=True)
class Misconception:
    id: str
    explanation: str
    chapter: str  # chapter number whose page teaches it
    section: str  # anchor in that page

    @property
    def url(self) -> str:
        return f"{CHAPTERS[self.chapter].url}#{self.section}"


MISCONCEPTIONS: dict[str, Misconception] = {
    m.id: m
    for m in [
        Misconception(
            "keras-momentum",
            "PyTorch's momentum is the weight of the NEW value: running = (1 - momentum) * running + momentum * batch; "
            "Keras/TF weight the old one.",
            "04",
            "sec-ema-conventions",
        ),
        Misconception(
            "biased-running-var",
            "The running variance stores the UNBIASED batch variance (divide by n - 1), although normalization uses "
            "the biased one.",
            "04",
            "sec-ema-unbiased",
        ),
        Misconception(
            "unbiased-normalization",
            "Normalization in training uses the BIASED batch variance (divide by n), not the unbiased one.",
            "02",
            "sec-derivation-forward",
        ),
        Misconception(
            "missing-eps",
            "eps must be added to the variance before the square root; it was left out.",
            "02",
            "sec-derivation-forward",
        ),
        Misconception(
            "eps-outside-sqrt",
            "eps goes inside the square root: (x - mean) / sqrt(var + eps), not / (sqrt(var) + eps).",
            "02",
            "sec-derivation-forward",
        ),
        Misconception(
            "wrong-reduction-dims",
            "BN reduces over every dim but the channel dim 1: (0,) for (N, C), (0, 2) for (N, C, L), (0, 2, 3) for "
            "(N, C, H, W).",
            "03",
            "sec-axes-dims",
        ),
        Misconception(
            "running-stats-in-training",
            "In training mode BN normalizes with the statistics of the current batch, not the running ones.",
            "05",
            "sec-train-eval-modes",
        ),
        Misconception(
            "batch-stats-in-eval",
            "In eval mode BN normalizes with the running statistics when it tracks them, not the batch's.",
            "05",
            "sec-train-eval-modes",
        ),
        Misconception(
            "updates-in-eval",
            "Eval mode never changes running_mean, running_var or num_batches_tracked.",
            "05",
            "sec-train-eval-modes",
        ),
        Misconception(
            "ignores-affine",
            "The output is x_hat * weight + bias when affine=True, and plain x_hat when affine=False.",
            "02",
            "sec-derivation-affine",
        ),
        Misconception(
            "no-cumulative-average",
            "momentum=None means a cumulative average: at the k-th tracked batch the update weight is 1/k.",
            "04",
            "sec-ema-none",
        ),
        Misconception(
            "batch-count-wrong",
            "num_batches_tracked grows by exactly one at every training forward that tracks statistics.",
            "04",
            "sec-ema-none",
        ),
        Misconception(
            "untracked-uses-running",
            "With track_running_stats=False there are no running statistics: batch statistics are used and nothing "
            "is stored.",
            "05",
            "sec-train-eval-flags",
        ),
        Misconception(
            "one-pass-variance",
            "E[x^2] - E[x]^2 cancels catastrophically when the mean is large; compute the variance from x - mean.",
            "02",
            "sec-derivation-numerics",
        ),
        Misconception(
            "dx-missing-mean-term",
            "The batch mean depends on every input: dx needs the term -mean(dy).",
            "02",
            "sec-derivation-backward",
        ),
        Misconception(
            "dx-missing-var-term",
            "The batch variance depends on every input: dx needs the term -x_hat * mean(dy * x_hat).",
            "02",
            "sec-derivation-backward",
        ),
        Misconception(
            "wrong-param-grad",
            "dgamma = sum(dy * x_hat) and dbeta = sum(dy), both summed over (N, H, W) only.",
            "02",
            "sec-derivation-backward",
        ),
        Misconception(
            "input-mutated",
            "The answer modified one of its input tensors in place; BN must leave its inputs untouched.",
            "02",
            "sec-derivation-forward",
        ),
        Misconception(
            "dtype-changed", "The output must keep the input's dtype and device.", "02", "sec-derivation-forward"
        ),
    ]
}
