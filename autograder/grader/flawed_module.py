"""A from-scratch ``BatchNorm2d`` that can make the chapter-05 mistakes on purpose (grader side).

``flawed_batchnorm2d(flaws)`` returns a module class with torch's constructor and
semantics (docs/batchnorm-semantics.md) except for the named flaws. Run through the same probe
program as the student's class, it tells which misconceptions reproduce a wrong
answer. A flaw is a misconception id, optionally with ``:how`` when a misconception
has several common forms ("no-cumulative-average:zero"). The math comes from
``variants`` (float64, cast back to the input's dtype), so a variant differs from
torch only by its flaws. Forms that differ in more than their name says:
``updates-in-eval`` updates (and counts) in eval after normalizing, its
``:before-normalizing`` form updates first, so the eval output moves, without counting;
``updates-in-eval:count-only`` counts eval forwards and updates nothing (the course's
definition of updates-in-eval includes the batch count); ``missing-eps:eval``
drops eps only where running statistics normalize.
"""

from __future__ import annotations

from functools import cache
from typing import cast

import torch
from torch import nn

from autograder.grader.variants import (
    EpsMode,
    NoneWeight,
    channel_dims,
    ema,
    moments,
    per_channel,
    scale,
    update_weight,
)

FLAWS: tuple[str, ...] = (
    "running-stats-in-training:after-update",
    "running-stats-in-training:before-update",
    "batch-stats-in-eval",
    "updates-in-eval",
    "updates-in-eval:before-normalizing",
    "ignores-affine",
    "no-cumulative-average:zero",
    "no-cumulative-average:one",
    "no-cumulative-average:default",
    "no-cumulative-average:k-plus-one",
    "batch-count-wrong:never",
    "batch-count-wrong:batch-size",
    "updates-in-eval:count-only",
    "untracked-uses-running",
    "keras-momentum",
    "biased-running-var",
    "unbiased-normalization",
    "missing-eps",
    "missing-eps:eval",
    "eps-outside-sqrt",
)


def misconception(flaw: str) -> str:
    """The misconception id of a flaw: "no-cumulative-average:zero" -> "no-cumulative-average"."""
    return flaw.split(":")[0]


class FlawedBatchNorm2d(nn.Module):
    """torch.nn.BatchNorm2d from scratch; subclasses set ``flaws``."""

    flaws: frozenset[str] = frozenset()
    running_mean: torch.Tensor | None
    running_var: torch.Tensor | None
    num_batches_tracked: torch.Tensor | None

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: torch.device | None = None,
        dtype: torch.dtype | None = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.weight = nn.Parameter(torch.ones(num_features, device=device, dtype=dtype)) if affine else None
        self.bias = nn.Parameter(torch.zeros(num_features, device=device, dtype=dtype)) if affine and bias else None
        buffers = track_running_stats or "untracked-uses-running" in self.flaws
        zeros, ones = (torch.full((num_features,), v, device=device, dtype=dtype) for v in (0.0, 1.0))
        self.register_buffer("running_mean", zeros if buffers else None)
        self.register_buffer("running_var", ones if buffers else None)
        count = torch.tensor(0, dtype=torch.long, device=device) if buffers else None
        self.register_buffer("num_batches_tracked", count)

    def _stats(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The three buffers, which exist whenever statistics are tracked."""
        mean, var, count = self.running_mean, self.running_var, self.num_batches_tracked
        if mean is None or var is None or count is None:
            raise AttributeError("this module has no running statistics")
        return mean, var, count

    def reset_running_stats(self) -> None:
        if self.track_running_stats:  # as torch: a no-op once tracking is turned off
            mean, var, count = self._stats()
            mean.zero_()
            var.fill_(1)
            count.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.weight is not None:
            nn.init.ones_(self.weight)
        if self.bias is not None:
            nn.init.zeros_(self.bias)

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )

    def _counts(self) -> bool:
        """Whether this forward counts the batch."""
        if self.num_batches_tracked is None:
            return False
        tracking = self.track_running_stats or "untracked-uses-running" in self.flaws
        in_eval = "updates-in-eval:count-only" in self.flaws or "updates-in-eval" in self.flaws
        return tracking and (self.training or in_eval)

    def _updates(self) -> bool:
        """Whether this forward updates the running statistics."""
        if self.running_mean is None:
            return False
        tracking = self.track_running_stats or "untracked-uses-running" in self.flaws
        in_eval = bool(self.flaws & {"updates-in-eval", "updates-in-eval:before-normalizing"})  # not count-only
        return tracking and (self.training or in_eval)

    def _weight(self, x: torch.Tensor, counts: bool) -> float:
        """Count the batch if ``counts``; the update weight of its statistics (from the count it should have)."""
        count = self._stats()[2]
        seen = int(count) + 1
        if "batch-count-wrong:batch-size" in self.flaws and counts:
            count += x.shape[0]
        elif "batch-count-wrong:never" not in self.flaws and counts:
            count += 1
        flaw = next((f for f in self.flaws if f.startswith("no-cumulative-average:")), None)
        reading = cast(NoneWeight, flaw.split(":")[1]) if flaw else "average"  # the flaw's form names the reading
        return update_weight(self.momentum, seen, reading)

    def _update(self, mean: torch.Tensor, var: torch.Tensor, n: int, weight: float) -> None:
        if n == 0:  # as torch: an empty batch leaves the statistics alone
            return
        stored = var if "biased-running-var" in self.flaws else var * n / (n - 1)
        keras = "keras-momentum" in self.flaws
        running_mean, running_var, _ = self._stats()
        with torch.no_grad():
            running_mean.copy_(ema(running_mean, mean.flatten(), weight, keras=keras))
            running_var.copy_(ema(running_var, stored.flatten(), weight, keras=keras))

    def _uses_batch(self) -> bool:
        if self.running_mean is None:
            return True
        if self.training:
            return not misconception_in(self.flaws, "running-stats-in-training")
        return "batch-stats-in-eval" in self.flaws

    def _eps_mode(self, batch: bool) -> EpsMode:
        if "missing-eps" in self.flaws or ("missing-eps:eval" in self.flaws and not batch):
            return "none"
        return "outside" if "eps-outside-sqrt" in self.flaws else "inside"

    def _check(self, x: torch.Tensor, batch: bool, passes_running: bool) -> None:
        """torch's checks after the count, in its order and words: one value per channel, eps, sizes."""
        if batch and x.numel() // x.shape[1] == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.shape}")
        if batch and self.eps <= 0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        if self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        sized: dict[str, torch.Tensor | None] = {"weight": self.weight, "bias": self.bias}
        if passes_running:
            sized = {"running_mean": self.running_mean, "running_var": self.running_var} | sized
        for name, tensor in sized.items():
            if tensor is not None and tensor.numel() != x.shape[1]:
                raise RuntimeError(f"{name} should contain {x.shape[1]} elements not {tensor.numel()}")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4:
            raise ValueError(f"expected 4D input (got {x.dim()}D input)")
        updates = self._updates()
        counts = self._counts()
        weight = self._weight(x, counts) if counts or updates else 0.0
        batch = self._uses_batch()
        self._check(x, batch, passes_running=updates or not batch)
        n = x.numel() // x.shape[1]
        mean, var = moments(x, channel_dims(4))
        update_first = (
            "running-stats-in-training:after-update" in self.flaws
            if self.training
            else "updates-in-eval:before-normalizing" in self.flaws
        )
        if updates and update_first:
            self._update(mean.detach(), var.detach(), n, weight)
        if batch:
            used_mean, used_var = mean, var * n / (n - 1) if "unbiased-normalization" in self.flaws else var
        else:
            running_mean, running_var, _ = self._stats()
            used_mean, used_var = per_channel(running_mean.clone(), 4), per_channel(running_var.clone(), 4)
        if updates and not update_first:
            self._update(mean.detach(), var.detach(), n, weight)
        y = (x.double() - used_mean) / scale(used_var, self.eps, self._eps_mode(batch))
        if "ignores-affine" not in self.flaws:
            if self.weight is not None:
                y = y * per_channel(self.weight, 4)
            if self.bias is not None:
                y = y + per_channel(self.bias, 4)
        return y.to(x.dtype)


def misconception_in(flaws: frozenset[str], misconception_id: str) -> bool:
    """Whether some flaw is a form of the misconception."""
    return any(misconception(f) == misconception_id for f in flaws)


@cache
def flawed_batchnorm2d(flaws: frozenset[str]) -> type[FlawedBatchNorm2d]:
    """A ``BatchNorm2d`` class with the given flaws (empty: torch's semantics)."""
    return type("BatchNorm2d", (FlawedBatchNorm2d,), {"flaws": flaws})
