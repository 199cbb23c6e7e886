"""Naming misconceptions: composing wrong variants, and recognizing a one-pass variance (grader side).

``compose`` turns axes of mistakes (one option per axis; ``variants`` computes each) into
``Variant``s, fewest mistakes first. The normalizing exercises (bn_forward, BatchNormFunction,
batch_norm_nd, group_norm)
share one diagnosis: compose the wrong variants of ``variants`` along the usual axes
(variance estimator, eps placement, reduction dims, affine) and name the smallest set
that reproduces the answer; failing that, on a large-mean case, recognize a one-pass
variance by fitting the per-group variance the answer implies.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import torch

from autograder.grader.cases import tensors
from autograder.grader.compare import compare_bn
from autograder.grader.specs.base import Variant, matching_variant
from autograder.grader.variants import (
    EpsMode,
    Variance,
    bn_train,
    channel_dims,
    moments,
    one_pass_bound,
    per_channel,
    rescaled_by_variance,
    wrong_dims,
)
from autograder.types import Arrays, Case, Mismatch

Axis = Sequence[tuple[str | None, object]]  # (misconception id, or None for the right choice; option)


def compose(axes: Mapping[str, Axis], build: Callable[..., Arrays], max_ids: int = 3) -> Iterator[Variant]:
    """Every combination of one option per axis with 1 to ``max_ids`` mistakes, fewest first.

    ``build`` receives one keyword per axis; a variant whose arrays are not all finite
    is skipped (too ambiguous to name).
    """
    for ids, options in combinations(axes, max_ids):
        yield Variant(ids, functools.partial(_finite, functools.partial(build, **options)))


def combinations(axes: Mapping[str, Axis], max_ids: int = 3) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    """(misconception ids, options by axis) of every combination ``compose`` builds, in its order."""
    names = list(axes)
    combos = [c for c in itertools.product(*(axes[n] for n in names)) if 0 < _mistakes(c) <= max_ids]
    for combo in sorted(combos, key=_mistakes):
        yield tuple(dict.fromkeys(i for i, _ in combo if i)), {n: option for n, (_, option) in zip(names, combo)}


def _mistakes(combo: Sequence[tuple[str | None, object]]) -> int:
    return sum(1 for i, _ in combo if i)


def _finite(build: Callable[[], Arrays]) -> Arrays | None:
    arrays = build()
    return arrays if all(np.isfinite(a).all() for a in arrays.values()) else None


VARIANCES: list[tuple[str | None, Variance]] = [(None, "biased"), ("unbiased-normalization", "unbiased")]
EPS_MODES: list[tuple[str | None, EpsMode]] = [
    (None, "inside"),
    ("missing-eps", "none"),
    ("eps-outside-sqrt", "outside"),
]
VARIANCE_AXIS: Axis = VARIANCES
EPS_AXIS: Axis = EPS_MODES
AFFINE_AXIS: Axis = [
    (None, "both"),
    ("ignores-affine", "none"),
    ("ignores-affine", "scale"),
    ("ignores-affine", "shift"),
]

Compare = Callable[[Arrays, Arrays], Mismatch | None]


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
    variants = compose(axes, lambda **options: {name: build(**options).numpy()})
    ids = matching_variant(mine, variants, compare)
    if ids or one_pass is None:
        return ids
    answer, reference = (one_pass.rows(torch.from_numpy(a[name])) for a in (got, want))
    fitted = rescaled_by_variance(
        answer, reference, one_pass.rows(one_pass.shift), one_pass.var, one_pass.eps, one_pass.bound
    )
    if fitted is not None and compare({name: answer.numpy()}, {name: fitted.numpy()}) is None:
        return ["one-pass-variance"]
    return []


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


def forward_variants(case: Case) -> list[Variant]:
    """The composed wrong y of a batch-norm forward (any rank) on this case."""
    x, gamma, beta, eps = tensors(case)
    return list(
        compose(forward_axes(x.dim()), lambda **options: {"y": bn_train(x, gamma, beta, eps, **options).numpy()})
    )


def explain_y(case: Case, got: Arrays, want: Arrays) -> list[str]:
    """Misconceptions explaining a wrong y of a batch-norm forward (any rank)."""
    x, gamma, beta, eps = tensors(case)
    build = partial(bn_train, x, gamma, beta, eps)
    return explain_output("y", got, want, forward_axes(x.dim()), build, partial(compare_bn, case), one_pass_fit(case))
