"""Chapter 05 specs against real torch: right modules pass, wrong ones fail with the right diagnosis."""

from __future__ import annotations

import pytest
import torch
from inprocess import define, grade
from torch import nn

from . import bn_impls
from .bn_impls import BatchNorm2d

ASSIGNING = """
class BatchNorm2d(nn.Module):
    '''Correct, written differently: float64 math, buffers reassigned, one code path per mode.'''

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        opts = dict(device=device, dtype=dtype)
        self.weight = nn.Parameter(torch.empty(num_features, **opts)) if affine else None
        self.bias = nn.Parameter(torch.empty(num_features, **opts)) if affine and bias else None
        if track_running_stats:
            self.register_buffer("running_mean", torch.empty(num_features, **opts))
            self.register_buffer("running_var", torch.empty(num_features, **opts))
            self.register_buffer("num_batches_tracked", torch.tensor(0, device=device))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None
        self.reset_parameters()

    def reset_running_stats(self):
        if self.track_running_stats:
            with torch.no_grad():
                self.running_mean.copy_(torch.zeros_like(self.running_mean))
                self.running_var.copy_(torch.ones_like(self.running_var))
                self.num_batches_tracked.copy_(torch.tensor(0))

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            with torch.no_grad():
                self.weight.fill_(1)
                if self.bias is not None:
                    self.bias.zero_()

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError("expected 4D input (got %dD input)" % x.dim())
        c = x.shape[1]
        x64 = x.double().permute(1, 0, 2, 3).reshape(c, -1)
        use_batch = self.training or self.running_mean is None
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked = self.num_batches_tracked + 1
        if use_batch and x64.shape[1] == 1:
            raise ValueError("Expected more than 1 value per channel when training, got input size %s" % (x.size(),))
        if self.eps <= 0 and use_batch:
            raise ValueError("batch_norm eps must be positive during training, but got %r" % self.eps)
        if self.eps < 0:
            raise ValueError("batch_norm eps must be non-negative, but got %r" % self.eps)
        checked = {"weight": self.weight, "bias": self.bias}
        if not self.training or self.track_running_stats:
            checked = {"running_mean": self.running_mean, "running_var": self.running_var, **checked}
        for name, value in checked.items():
            if value is not None and value.numel() != c:
                raise RuntimeError("%s should contain %d elements not %d" % (name, c, value.numel()))
        if use_batch:
            mean = x64.mean(1)
            var = x64.var(1, unbiased=False)
            if self.running_mean is not None and (self.track_running_stats or not self.training) and x64.shape[1]:
                k = self.num_batches_tracked.item()
                f = 1.0 / k if self.momentum is None else self.momentum
                n = x64.shape[1]
                self.running_mean = ((1 - f) * self.running_mean + f * mean.detach()).to(self.running_mean.dtype)
                unbiased = var.detach() * n / (n - 1)
                self.running_var = ((1 - f) * self.running_var + f * unbiased).to(self.running_var.dtype)
        else:
            mean, var = self.running_mean.double(), self.running_var.double()
        y = (x64 - mean[:, None]) / torch.sqrt(var[:, None] + self.eps)
        if self.weight is not None:
            y = y * self.weight.double()[:, None]
        if self.bias is not None:
            y = y + self.bias.double()[:, None]
        return y.reshape(c, x.shape[0], *x.shape[2:]).permute(1, 0, 2, 3).to(x.dtype)
"""

RIGHT = {
    "two-pass, hooks": BatchNorm2d,
    "var_mean, lerp": bn_impls.BatchNorm2dVarMean,
    "float64, reassigned buffers": define(ASSIGNING)["BatchNorm2d"],
}


@pytest.mark.parametrize("name", RIGHT)
def test_right_modules_pass_every_case(name: str) -> None:
    result = grade("05.BatchNorm2d", RIGHT[name])
    assert result.status == "passed", result.feedback


# --- one slip each, on the reference student's hooks --------------------------------


class RunningInTraining(BatchNorm2d):
    def uses_batch_stats(self):
        return self.running_mean is None


class BatchInEval(BatchNorm2d):
    def uses_batch_stats(self):
        return True


class UpdatesInEval(BatchNorm2d):
    def forward(self, x):
        y = super().forward(x)
        if not self.training and self.running_mean is not None:
            mean, var = self.batch_stats(x)
            self.update(mean.detach(), var.detach(), x.numel() // x.shape[1], self.factor())
        return y


class IgnoresAffine(BatchNorm2d):
    def affine_map(self, xhat):
        return xhat


class MomentumNoneIsDefault(BatchNorm2d):
    def factor(self):
        self.num_batches_tracked += 1
        return 0.1 if self.momentum is None else self.momentum


class NeverCounts(BatchNorm2d):
    def factor(self):
        k = float(self.num_batches_tracked) + 1
        return 1.0 / k if self.momentum is None else self.momentum


class UntrackedUsesRunning(BatchNorm2d):
    def __init__(
        self,
        num_features,
        eps=1e-5,
        momentum=0.1,
        affine=True,
        track_running_stats=True,
        device=None,
        dtype=None,
        *,
        bias=True,
    ):
        super().__init__(num_features, eps, momentum, affine, True, device, dtype, bias=bias)
        self.track_running_stats = track_running_stats

    def forward(self, x):
        flag, self.track_running_stats = self.track_running_stats, True
        try:
            return super().forward(x)
        finally:
            self.track_running_stats = flag


class KerasMomentum(BatchNorm2d):
    def update(self, mean, var, n, f):
        super().update(mean, var, n, 1 - f)


class BiasedRunningVar(BatchNorm2d):
    def update(self, mean, var, n, f):
        super().update(mean, var * (n - 1) / n, n, f)


class UnbiasedNormalization(BatchNorm2d):
    def batch_stats(self, x):
        return x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3))

    def update(self, mean, var, n, f):
        super().update(mean, var * (n - 1) / n, n, f)


class MissingEps(BatchNorm2d):
    def normalize(self, x, mean, var):
        return (x - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None])


class EpsOutsideSqrt(BatchNorm2d):
    def normalize(self, x, mean, var):
        return (x - mean[None, :, None, None]) / (torch.sqrt(var[None, :, None, None]) + self.eps)


class MutatesInput(BatchNorm2d):
    def normalize(self, x, mean, var):
        return x.sub_(mean[None, :, None, None]).div_(torch.sqrt(var[None, :, None, None] + self.eps))


class Float32Buffers(BatchNorm2d):
    def __init__(self, *args, dtype=None, **kwargs):
        super().__init__(*args, **kwargs)


WRONG = {
    "running-stats-in-training": RunningInTraining,
    "batch-stats-in-eval": BatchInEval,
    "updates-in-eval": UpdatesInEval,
    "ignores-affine": IgnoresAffine,
    "no-cumulative-average": MomentumNoneIsDefault,
    "batch-count-wrong": NeverCounts,
    "untracked-uses-running": UntrackedUsesRunning,
    "keras-momentum": KerasMomentum,
    "biased-running-var": BiasedRunningVar,
    "unbiased-normalization": UnbiasedNormalization,
    "missing-eps": MissingEps,
    "eps-outside-sqrt": EpsOutsideSqrt,
    "input-mutated": MutatesInput,
}


@pytest.mark.parametrize("misconception", WRONG)
def test_each_slip_fails_and_is_named(misconception: str) -> None:
    result = grade("05.BatchNorm2d", WRONG[misconception], quick=True)
    assert result.status == "failed", result.feedback
    assert result.misconceptions == [misconception], result.feedback


def test_ignoring_the_dtype_argument_is_named() -> None:
    """The float64 case of the full grid: buffers and parameters stay float32."""
    result = grade("05.BatchNorm2d", Float32Buffers)
    assert result.status == "failed"
    assert "dtype-changed" in result.misconceptions, result.feedback


class ReprWithoutBias(BatchNorm2d):
    def extra_repr(self):
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"track_running_stats={self.track_running_stats}"
        )


class RaisesRuntimeError(BatchNorm2d):
    def forward(self, x):
        if x.dim() != 4:
            raise RuntimeError("need 4D")
        return super().forward(x)


class ResetKeepsWeights(BatchNorm2d):
    def reset_parameters(self):
        self.reset_running_stats()


class NoBiasKeyword(BatchNorm2d):
    def __init__(
        self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None, dtype=None, **_
    ):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)


@pytest.mark.parametrize(
    "wrong, where",
    [
        (ReprWithoutBias, "extra_repr"),
        (RaisesRuntimeError, "raised"),
        (ResetKeepsWeights, "reset_parameters"),
        (NoBiasKeyword, "bias=False"),
    ],
)
def test_api_differences_fail_and_say_where(wrong: type[nn.Module], where: str) -> None:
    result = grade("05.BatchNorm2d", wrong, quick=True)
    assert result.status == "failed"
    assert where in result.feedback


def test_feedback_names_the_step_with_the_input_shape_and_output() -> None:
    result = grade("05.BatchNorm2d", KerasMomentum, quick=True)
    assert "step 3 (train forward of x1 (3, 3, 2, 2)): running_mean" in result.feedback


def test_reference_program_reproduces_the_documented_numbers() -> None:
    """docs/batchnorm-semantics.md: x = arange(16).reshape(2, 2, 2, 2), one train step, then eval."""
    from autograder.submission.probes.ch05 import run_program

    x = torch.arange(16.0).reshape(2, 2, 2, 2).numpy()
    ops = [
        {"op": "new", "kwargs": {"num_features": 2}},
        {"op": "forward", "mode": "train", "x": "x"},
        {"op": "forward", "mode": "eval", "x": "x"},
    ]
    out = run_program(nn.BatchNorm2d, {"x": x}, ops)
    assert out["step 2 (train forward of x (2, 2, 2, 2)): y"][0, 0, 0, 0] == pytest.approx(-1.3242440, abs=1e-6)
    assert out["step 2 (train forward of x (2, 2, 2, 2)): running_var"] == pytest.approx([2.8714286] * 2, abs=1e-6)
    assert out["step 3 (eval forward of x (2, 2, 2, 2)): y"][0, 1, 0, 0] == pytest.approx(1.7999070, abs=1e-5)


# --- the grader's own flawed modules ---------------------------------------------------


def test_the_flawless_variant_is_torch() -> None:
    """Diagnosis builds on this class: without flaws it must pass every case."""
    from autograder.grader.flawed_module import flawed_batchnorm2d

    result = grade("05.BatchNorm2d", flawed_batchnorm2d(frozenset()))
    assert result.status == "passed", result.feedback


@pytest.mark.parametrize("flaw", __import__("autograder.grader.flawed_module", fromlist=["FLAWS"]).FLAWS)
def test_every_flaw_is_caught_by_the_quick_cases_and_named(flaw: str) -> None:
    from autograder.grader.flawed_module import flawed_batchnorm2d, misconception

    result = grade("05.BatchNorm2d", flawed_batchnorm2d(frozenset([flaw])), quick=True)
    assert result.status == "failed"
    assert result.misconceptions == [misconception(flaw)], result.feedback
