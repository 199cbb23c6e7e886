"""Case data, comparison and diagnosis shared by the specs of chapters 02 to 04 (grader side).

Cases come from small tables of ``Data`` rows (shape, dtype, layout, spread, eps). The
normalizing exercises (bn_forward, BatchNormFunction, batch_norm_nd, group_norm)
share one diagnosis: compose the wrong variants of ``variants`` along the usual axes
(variance estimator, eps placement, reduction dims, affine) and name the smallest set
that reproduces the answer; failing that, on a large-mean case, recognize a one-pass
variance by fitting the per-group variance the answer implies.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

import numpy as np
import torch

from autograder.compare import Tolerance, compare_arrays
from autograder.exercises.base import Arrays, Case, Mismatch
from autograder.exercises.common import channel_data, describe, matching_variant, rng, tensor
from autograder.exercises.variants import (
    Axis,
    bn_train,
    channel_dims,
    compose,
    moments,
    one_pass_bound,
    per_channel,
    rescaled_by_variance,
    wrong_dims,
)

# Mean over standard deviation of the large-mean cases. In float32, a two-pass variance then
# stays within ~6e-5 of torch's output while E[x^2] - E[x]^2 is off by 2e-3 or more
# (measured over many seeds and shapes); the case's tolerance sits between the two.
LARGE_MEAN_RATIO = 300.0
LARGE_MEAN_TOLERANCE = Tolerance(rtol=1e-4, atol=4e-4)
LARGE_MEAN_NOTE = "large mean, small spread (the variance must be computed from x - mean)"
SMALL_VARIANCE_NOTE = "small variance, where eps matters"

VARIANCE_AXIS: Axis = [(None, "biased"), ("unbiased-normalization", "unbiased")]
EPS_AXIS: Axis = [(None, "inside"), ("missing-eps", "none"), ("eps-outside-sqrt", "outside")]
AFFINE_AXIS: Axis = [(None, "both"), ("ignores-affine", "none"), ("ignores-affine", "scale"), ("ignores-affine", "shift")]

Compare = Callable[[Arrays, Arrays], Mismatch | None]
CHANNEL_AXES = {"y": 1, "dx": 1, "dgamma": 0, "dbeta": 0}


def affine_params(gen: np.random.Generator, channels: int, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    """Random gamma (magnitude 0.5 to 1.5, either sign) and beta, never close to 1 and 0."""
    gamma = gen.uniform(0.5, 1.5, channels) * gen.choice([-1.0, 1.0], channels)
    beta = gen.uniform(0.5, 2.0, channels) * gen.choice([-1.0, 1.0], channels)
    return gamma.astype(dtype), beta.astype(dtype)


def large_mean_data(gen: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """Data whose mean is about ``LARGE_MEAN_RATIO`` times its standard deviation.

    All channels share the mean, so groups of channels (group norm) have it too.
    """
    channels = shape[1]
    std = gen.uniform(0.8, 1.25, channels)
    mean = LARGE_MEAN_RATIO * gen.uniform(0.9, 1.1) * gen.choice([-1.0, 1.0])
    view = (1, channels) + (1,) * (len(shape) - 2)
    return (mean + std.reshape(view) * gen.standard_normal(shape)).astype(dtype)


def dy_data(gen: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """An upstream gradient with a clear per-channel mean, so every backward term shows."""
    view = (1, shape[1]) + (1,) * (len(shape) - 2)
    return (gen.uniform(-1, 1, shape[1]).reshape(view) + gen.standard_normal(shape)).astype(dtype)


def finite(values: np.ndarray) -> np.ndarray:
    """``values``, or ValueError when a variant is NaN or Inf somewhere (too ambiguous to name)."""
    if not np.isfinite(values).all():
        raise ValueError("variant is not finite")
    return values


@dataclass(frozen=True)
class OnePassFit:
    """What recognizing a one-pass variance in a normalized output needs, as rows per group.

    ``rows`` views an output-shaped tensor as (groups, members); ``shift`` is beta
    broadcast to the output; ``var`` and ``bound`` are the true biased variance and the
    one-pass band per group, shaped (groups, 1).
    """

    rows: Callable[[torch.Tensor], torch.Tensor]
    shift: torch.Tensor
    var: torch.Tensor
    bound: torch.Tensor
    eps: float


def explain_output(
    name: str,
    got: Arrays,
    want: Arrays,
    axes: Mapping[str, Axis],
    build: Callable[..., torch.Tensor],
    compare: Compare,
    one_pass: OnePassFit | None = None,
) -> list[str]:
    """Misconceptions explaining output ``name`` of ``got``: composed variants, then one-pass."""
    mine = {name: got[name]} if name in got else {}
    if not mine or got[name].shape != want[name].shape or compare(mine, {name: want[name]}) is None:
        return []
    variants = compose(axes, lambda **options: {name: finite(build(**options).numpy())})
    ids = matching_variant(mine, variants, compare)
    if ids or one_pass is None:
        return ids
    answer, reference = (one_pass.rows(torch.from_numpy(a[name])) for a in (got, want))
    fitted = rescaled_by_variance(answer, reference, one_pass.rows(one_pass.shift), one_pass.var, one_pass.eps, one_pass.bound)
    if fitted is not None and compare({name: answer.numpy()}, {name: fitted.numpy()}) is None:
        return ["one-pass-variance"]
    return []


@dataclass(frozen=True)
class Data:
    """One row of a chapter's case table: how to make x, and whether ``quick`` keeps it."""

    shape: tuple[int, ...]
    dtype: str
    layout: str = "contiguous"
    scale: float = 1.0
    eps: float = 1e-5
    note: str = ""
    quick: bool = False
    large_mean: bool = False


def make_cases(exercise_id: str, table: list[Data], quick: bool, *, grad: bool) -> list[Case]:
    """x, gamma, beta (and dy when ``grad``) for each row of ``table``, seeded from the id."""
    cases = []
    for i, row in enumerate(table):
        if quick and not row.quick:
            continue
        gen = rng(exercise_id, str(i))
        if row.large_mean:
            x = large_mean_data(gen, row.shape, row.dtype)
        else:
            x = channel_data(gen, row.shape, row.dtype, center=0.5 * row.scale, scale=row.scale)
        gamma, beta = affine_params(gen, row.shape[1], row.dtype)
        inputs = {"x": x, "gamma": gamma, "beta": beta}
        if grad:
            inputs["dy"] = dy_data(gen, row.shape, row.dtype)
        params = {"layout": row.layout, "eps": row.eps, "large_mean": row.large_mean}
        cases.append(Case(describe("x", x, row.layout, row.note, eps=row.eps), inputs, params))
    return cases


def tensors(case: Case) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, float]:
    """x, gamma, beta and eps of a case, as grader-side tensors."""
    return tensor(case.inputs["x"]), tensor(case.inputs["gamma"]), tensor(case.inputs["beta"]), float(case.params["eps"])


def compare_bn(case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
    """compare_arrays with channel axes, and on float32 large-mean cases the widened tolerance.

    x - mean is rounded at the scale of the mean there, so y, dx and dgamma = sum(dy * x_hat)
    of two right answers differ by more than usual (dgamma: sqrt(n) roundings add up).
    """
    tolerances = None
    if case.params.get("large_mean") and case.inputs["x"].dtype == np.float32:
        wide = LARGE_MEAN_TOLERANCE
        summed = Tolerance(wide.rtol, wide.atol * math.sqrt(case.inputs["x"].size / case.inputs["x"].shape[1]))
        tolerances = {"y": wide, "dx": wide, "dgamma": summed}
    return compare_arrays(got, want, channel_axes=CHANNEL_AXES, tolerances=tolerances)


def channel_rows(t: torch.Tensor) -> torch.Tensor:
    """One row per channel: (C, values of that channel)."""
    return t.movedim(1, 0).reshape(t.shape[1], -1)


def one_pass_fit(case: Case) -> OnePassFit | None:
    """What recognizing a one-pass variance in y needs, on large-mean cases only."""
    if not case.params.get("large_mean"):
        return None
    x, _, beta, eps = tensors(case)
    dims = channel_dims(x.dim())
    var = moments(x, dims)[1].reshape(-1, 1)
    shift = per_channel(beta, x.dim()).expand(x.shape)
    return OnePassFit(channel_rows, shift, var, one_pass_bound(x, dims).reshape(-1, 1), eps)


def forward_axes(ndim: int) -> dict[str, Axis]:
    """The composed mistakes of a batch-norm forward for a rank-``ndim`` input."""
    dims: Axis = [(None, channel_dims(ndim))] + [("wrong-reduction-dims", d) for d in wrong_dims(ndim)]
    return {"variance": VARIANCE_AXIS, "eps_mode": EPS_AXIS, "dims": dims, "affine": AFFINE_AXIS}


def explain_y(case: Case, got: Arrays, want: Arrays) -> list[str]:
    """Misconceptions explaining a wrong y of a batch-norm forward (any rank)."""
    x, gamma, beta, eps = tensors(case)
    build = partial(bn_train, x, gamma, beta, eps)
    return explain_output("y", got, want, forward_axes(x.dim()), build, partial(compare_bn, case), one_pass_fit(case))
