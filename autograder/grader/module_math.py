"""Naming a from-scratch ``BatchNorm2d``'s forward-math and backward mistakes (grader side).

The flawed modules (``flawed_module``) make the module-level mistakes; the mistakes of
the arithmetic inside one training forward are named here, from the first step of a
program where the answer goes wrong, when that step is a training forward:

- its y is wrong: the composed forward variants of ``diagnosis`` (reduction dims,
  variance estimator, eps placement, affine), computed on the step's input with the
  answer's own weight and bias before the step and the module's eps; the smallest set
  that reproduces y, named when it holds ``wrong-reduction-dims`` (the rest the flawed
  modules name, or leave unnamed when another flaw fits too). Failing that, a one-pass
  variance is recognized by fitting the per-channel variance y implies
  (``rescaled_by_variance``), alone or with the n-1 variance;
- its y is right and its dx wrong: dx of torch autograd through the same forward
  with the batch mean and/or variance detached (``dx-missing-mean-term``,
  ``dx-missing-var-term``).

A name is given only when exactly one explanation of its size fits. A one-pass variance
shows only on data with a large mean: ``large_mean_program`` is one float64 training
forward on such data.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from autograder.grader.cases import LARGE_MEAN_RATIO
from autograder.grader.compare import compare_outputs, numeric_keys
from autograder.grader.diagnosis import VARIANCES, channel_rows, combinations, forward_axes
from autograder.grader.variants import (
    Variance,
    bn_train,
    channel_dims,
    count,
    moments,
    one_pass_bound,
    per_channel,
    rescaled_by_variance,
)
from autograder.submission.probes.marshal import tensor_in
from autograder.submission.probes.modules import Op, step_name
from autograder.types import Arrays

MATH_MISCONCEPTIONS = ("wrong-reduction-dims", "one-pass-variance", "dx-missing-mean-term", "dx-missing-var-term")
LARGE_MEAN = 1e4  # float64 data at this mean: a one-pass variance is off by about 1e-8 of the variance
DIMS = channel_dims(4)

# (misconception ids, (keeps the mean's gradient, keeps the variance's gradient))
_BACKWARD_VARIANTS: list[tuple[tuple[str, ...], tuple[bool, bool]]] = [
    (("dx-missing-mean-term",), (False, True)),
    (("dx-missing-var-term",), (True, False)),
    (("dx-missing-mean-term", "dx-missing-var-term"), (False, False)),
]


def large_mean_program(gen: np.random.Generator) -> tuple[Arrays, list[Op]]:
    """One float64 training forward on data whose mean is ``LARGE_MEAN`` times its spread.

    No backward: dweight = sum(dy * x_hat) of a right answer strays past float64's
    tolerance there (x - mean is rounded at the scale of the mean).
    """
    shape = (3, 2, 4, 4)
    spread = gen.uniform(0.5, 2.0, (1, shape[1], 1, 1))
    x = LARGE_MEAN * gen.choice([-1.0, 1.0]) + spread * gen.standard_normal(shape)
    ops: list[Op] = [
        {"op": "new", "kwargs": {"num_features": shape[1], "dtype": "float64"}},
        {"op": "forward", "mode": "train", "x": "x1"},
    ]
    return {"x1": x}, ops


def explain_math(inputs: Arrays, ops: list[Op], got: Arrays, want: Arrays) -> list[str]:
    """The forward-math or backward misconceptions that explain the first wrong step, if a training forward."""
    found = _first_wrong_step(inputs, ops, got, want)
    if found is None:
        return []
    index, prefix = found
    op = ops[index - 1]
    if op["op"] != "forward" or op["mode"] != "train" or op.get("catch"):
        return []
    x = tensor_in(inputs[op["x"]])
    if count(x, DIMS) < 2:
        return []
    eps = float(next(o for o in reversed(ops[:index]) if o["op"] == "new")["kwargs"].get("eps", 1e-5))
    gamma, beta = _affine(got, step_name(index - 1, ops[index - 2], inputs), x)
    y, dx = f"{prefix}: y", f"{prefix}: dx"
    if y in got and compare_outputs(got, want, [y]):
        return _forward_names(got[y], want[y], x, gamma, beta, eps)
    if dx in want and dx in got and compare_outputs(got, want, [dx]):
        dy = tensor_in(inputs[op["dy"]])
        fits = [ids for ids, keeps in _BACKWARD_VARIANTS if _fits(got[dx], _dx(x, gamma, beta, dy, eps, *keeps))]
        return list(fits[0]) if len(fits) == 1 else []
    return []


def _first_wrong_step(inputs: Arrays, ops: list[Op], got: Arrays, want: Arrays) -> tuple[int, str] | None:
    """(step number, step name) of the first step whose numeric outputs differ from torch's."""
    keys = numeric_keys(want)
    for index, op in enumerate(ops, start=1):
        prefix = step_name(index, op, inputs)
        if compare_outputs(got, want, [k for k in keys if k.startswith(prefix + ": ")]):
            return index, prefix
    return None


def _affine(got: Arrays, before: str, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The answer's weight and bias before the step (1 and 0 where it has none)."""
    channels = x.shape[1]
    weight, bias = (got.get(f"{before}: {name}") for name in ("weight", "bias"))
    ones = torch.ones(channels, dtype=torch.float64)
    gamma = torch.from_numpy(weight).double() if weight is not None else ones
    beta = torch.from_numpy(bias).double() if bias is not None else 0 * ones
    return gamma, beta


def _fits(got: np.ndarray, wrong: np.ndarray | None) -> bool:
    return wrong is not None and compare_outputs({"v": got}, {"v": wrong}) is None


def _forward_names(
    got: np.ndarray, want: np.ndarray, x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float
) -> list[str]:
    """The smallest composed set of mistakes that reproduces y, if it holds wrong dims; else a one-pass variance.

    A one-pass variance is looked for only where every channel's mean is at least
    ``LARGE_MEAN_RATIO`` times its spread: elsewhere its rounding is within tolerance.
    """
    smallest: set[tuple[str, ...]] = set()
    for ids, options in combinations(forward_axes(4)):
        if smallest and len(ids) > len(next(iter(smallest))):
            break
        wrong = bn_train(x, gamma, beta, eps, **options).numpy()
        if np.isfinite(wrong).all() and _fits(got, wrong):
            smallest.add(tuple(sorted(ids)))
    if smallest:
        ids = next(iter(smallest))
        return list(ids) if len(smallest) == 1 and "wrong-reduction-dims" in ids else []
    mean, var = moments(x, DIMS)
    if bool((mean**2 < LARGE_MEAN_RATIO**2 * var).any()):
        return []  # one-pass rounding can hide only in what a large mean makes of it
    fits = list(_one_pass_fits(got, x, gamma, beta, eps))
    return list(fits[0]) if len(fits) == 1 else []


def _one_pass_fits(
    got: np.ndarray, x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float
) -> Iterator[tuple[str, ...]]:
    """The names of each variance estimator whose one-pass form, fitted per channel, reproduces y."""
    shift = channel_rows(per_channel(beta, 4).expand(x.shape))
    bound = one_pass_bound(x, DIMS).reshape(-1, 1)
    n = count(x, DIMS)
    for name, variance in VARIANCES:
        reference = bn_train(x, gamma, beta, eps, variance=variance)
        var = moments(x, DIMS)[1].reshape(-1, 1) * _ratio(variance, n)
        rows = channel_rows(torch.from_numpy(got))
        fitted = rescaled_by_variance(rows, channel_rows(reference), shift, var, eps, bound * _ratio(variance, n))
        if fitted is not None and _fits(rows.numpy(), fitted.numpy()):
            yield ("one-pass-variance",) + ((name,) if name else ())


def _ratio(variance: Variance, n: int) -> float:
    """How much the variance estimator scales the biased variance."""
    return n / (n - 1) if variance == "unbiased" else 1.0


def _dx(
    x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, dy: torch.Tensor, eps: float, mean: bool, var: bool
) -> np.ndarray:
    """dx by autograd of the training forward, with the batch mean and/or variance detached where not kept."""
    x64 = x.detach().double().clone().requires_grad_(True)
    batch_mean, batch_var = moments(x64, DIMS)
    used_mean = batch_mean if mean else batch_mean.detach()
    used_var = batch_var if var else batch_var.detach()
    y = (x64 - used_mean) / torch.sqrt(used_var + eps) * per_channel(gamma, 4) + per_channel(beta, 4)
    y.backward(dy.double())
    assert x64.grad is not None
    return x64.grad.to(x.dtype).numpy()
