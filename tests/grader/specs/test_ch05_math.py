"""05.BatchNorm2d: the arithmetic of a training forward, and its backward, named (``module_math``).

Each form is written twice: once on the hooks of ``bn_impls.BatchNorm2d`` and once as an
edit of ``test_ch05_module.FUNCTIONAL``, a correct module of another style. The status and
the exact set of names are asserted. A one-pass variance shows only on the large-mean case,
which is not in the quick subset: those forms are graded on every case.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from inprocess import grade

from autograder.grader import specs
from autograder.grader.module_math import explain_math, large_mean_program
from autograder.submission.probes.modules import run_program

from .bn_impls import BatchNorm2d, BatchNorm2dVarMean
from .test_ch05_module import ID, functional


class InstanceStats(BatchNorm2d):
    """Normalizes each sample's channel over its own H and W (the running statistics are right)."""

    def normalize(self, x: torch.Tensor, mean: torch.Tensor, var: torch.Tensor) -> torch.Tensor:
        if not self.uses_batch_stats():
            return super().normalize(x, mean, var)
        mean = x.mean(dim=(2, 3), keepdim=True)
        return (x - mean) / torch.sqrt(((x - mean) ** 2).mean(dim=(2, 3), keepdim=True) + self.eps)


OVER_BATCH_ONLY = (
    "y = _normalize(x, mean, var, self.eps)",
    "y = (x - x.mean(0)) / torch.sqrt(x.var(0, unbiased=False) + self.eps) if use_batch "
    "else _normalize(x, mean, var, self.eps)",
)


class OnePassPow(BatchNorm2d):
    def batch_stats(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean = x.mean(dim=(0, 2, 3))
        return mean, x.pow(2).mean(dim=(0, 2, 3)) - mean.pow(2)


ONE_PASS = (
    "var = x.var(dim=(0, 2, 3), unbiased=False) if n",
    "var = torch.mean(x * x, dim=(0, 2, 3)) - mean * mean if n",
)


class OnePassUnbiased(OnePassPow):
    def normalize(self, x: torch.Tensor, mean: torch.Tensor, var: torch.Tensor) -> torch.Tensor:
        if self.uses_batch_stats():
            n = x.numel() // x.shape[1]
            var = var * n / (n - 1)
        return super().normalize(x, mean, var)


UNBIASED = (
    "y = _normalize(x, mean, var, self.eps)",
    "y = _normalize(x, mean, var * n / (n - 1) if use_batch else var, self.eps)",
)


class DetachedMean(BatchNorm2d):
    def batch_stats(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean = x.mean(dim=(0, 2, 3)).detach()
        return mean, ((x - mean[None, :, None, None]) ** 2).mean(dim=(0, 2, 3))


class DetachedVar(BatchNorm2d):
    def batch_stats(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean, var = super().batch_stats(x)
        return mean, var.detach()


class StatsUnderNoGrad(BatchNorm2d):
    def batch_stats(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        with torch.no_grad():
            return super().batch_stats(x)


MEAN_DETACHED = ("mean = x.mean(dim=(0, 2, 3)) if n", "mean = x.mean(dim=(0, 2, 3)).detach() if n")
VAR_DETACHED = (
    "var = x.var(dim=(0, 2, 3), unbiased=False) if n",
    "var = x.var(dim=(0, 2, 3), unbiased=False).detach() if n",
)

# form: (names, whether the quick cases show it, the two ways)
FORMS: dict[str, tuple[list[str], bool, list[type]]] = {
    "instance statistics, or over the batch dim only": (
        ["wrong-reduction-dims"],
        True,
        [InstanceStats, functional(OVER_BATCH_ONLY)],
    ),
    "one-pass variance": (["one-pass-variance"], False, [OnePassPow, functional(ONE_PASS)]),
    "one-pass n-1 variance": (
        ["one-pass-variance", "unbiased-normalization"],
        False,
        [OnePassUnbiased, functional(ONE_PASS, UNBIASED)],
    ),
    "batch mean detached": (["dx-missing-mean-term"], True, [DetachedMean, functional(MEAN_DETACHED)]),
    "batch variance detached": (["dx-missing-var-term"], True, [DetachedVar, functional(VAR_DETACHED)]),
    "statistics under no_grad": (
        ["dx-missing-mean-term", "dx-missing-var-term"],
        True,
        [StatsUnderNoGrad, functional(MEAN_DETACHED, VAR_DETACHED)],
    ),
}


@pytest.mark.parametrize("form, way", [(form, way) for form in FORMS for way in (0, 1)])
def test_each_form_written_two_ways_is_named(form: str, way: int) -> None:
    names, quick, answers = FORMS[form]
    result = grade(ID, answers[way], quick=quick)
    assert result.status == "failed", result.feedback
    assert sorted(result.misconceptions) == names, result.feedback
    assert "No misconception" not in result.feedback


@pytest.mark.parametrize("answer", [BatchNorm2d, BatchNorm2dVarMean, functional()])
def test_correct_modules_pass_the_large_mean_case(answer: type) -> None:
    case = next(c for c in specs.spec(ID).cases() if "times its spread" in c.label)
    got = run_program(answer, case.inputs, case.params["ops"])
    spec = specs.spec(ID)
    assert spec.compare(case, got, spec.reference(case)) is None


def test_a_one_pass_variance_is_visible_on_the_large_mean_step() -> None:
    inputs, ops = large_mean_program(np.random.default_rng(0))
    want = run_program(torch.nn.BatchNorm2d, inputs, ops)
    got = run_program(OnePassPow, inputs, ops)
    assert explain_math(inputs, ops, got, want) == ["one-pass-variance"]
    assert explain_math(inputs, ops, want, want) == []
