"""Chapter 03 specs: ``03.reduction_dims``, ``03.batch_norm_nd`` and ``03.group_norm``."""

from __future__ import annotations

from functools import partial

import numpy as np
import torch
from torch import nn

from autograder.grader.cases import LARGE_MEAN_NOTE, SMALL_VARIANCE_NOTE, Data, present, table_cases, tensors
from autograder.grader.compare import compare_bn
from autograder.grader.diagnosis import (
    AFFINE_AXIS,
    EPS_AXIS,
    VARIANCE_AXIS,
    Axis,
    OnePassFit,
    compose,
    explain_output,
    explain_y,
    forward_variants,
)
from autograder.grader.specs.base import ExerciseSpec, Variant
from autograder.grader.variants import BATCH_NORMS, channel_dims, group_bound, group_norm, moments, per_channel
from autograder.types import Arrays, Case, Mismatch

NORMALIZE_MISCONCEPTIONS = (
    "unbiased-normalization",
    "missing-eps",
    "eps-outside-sqrt",
    "wrong-reduction-dims",
    "ignores-affine",
    "one-pass-variance",
)


class ReductionDims(ExerciseSpec):
    id = "03.reduction_dims"
    points = 1
    section = "sec-axes-dims"
    summary = "the dims batch normalization reduces over for inputs of rank 2 to 5"
    misconceptions = ("wrong-reduction-dims",)

    def make_cases(self) -> list[Case]:
        return [Case(f"ndim={ndim}", {}, {"ndim": ndim}, quick=True) for ndim in (2, 3, 4, 5)]

    def reference(self, case: Case) -> Arrays:
        return {"dims": np.array(channel_dims(case.params["ndim"]), dtype=np.int64)}

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        """Dims as a set: order and negative indices (-1 for the last dim) do not matter."""
        ndim = case.params["ndim"]
        dims = [int(d) for d in np.asarray(got.get("dims", []), dtype=np.int64).ravel()]
        if any(not -ndim <= d < ndim for d in dims):
            return Mismatch("dims", f"{tuple(dims)} holds a dim out of range for a rank-{ndim} input")
        normalized = sorted(d % ndim for d in dims)
        if len(set(normalized)) != len(normalized) or normalized != sorted(want["dims"].tolist()):
            return Mismatch("dims", f"got {tuple(dims)}, expected {tuple(want['dims'].tolist())} (in any order)")
        return None

    def diagnose(self, case: Case, got: Arrays) -> list[str]:
        return ["wrong-reduction-dims"]


ND_TABLE = [
    Data((8, 3), "float32", "noncontiguous", quick=True),
    Data((2, 5), "float64", note="rank 2, a batch of two"),
    Data((4, 3, 7), "float32", quick=True),
    Data((1, 2, 5), "float64", "noncontiguous", note="rank 3, a batch of one"),
    Data((3, 2, 4, 5), "float32", "channels_last"),
    Data((2, 3, 2, 3, 4), "float64", quick=True),
    Data((1, 1, 3, 2, 3), "float32", "noncontiguous", note="rank 5, one sample, one channel"),
    Data((6, 4, 5), "float64", scale=2e-3, note=SMALL_VARIANCE_NOTE),
    Data((5, 3, 3, 3, 3), "float32", scale=1e-3, note=SMALL_VARIANCE_NOTE),
    Data((8, 3, 9), "float32", note=LARGE_MEAN_NOTE, large_mean=True, quick=True),
]


class BatchNormNd(ExerciseSpec):
    id = "03.batch_norm_nd"
    points = 2
    section = "sec-axes-dims"
    summary = "training-mode batch normalization for all those ranks"
    misconceptions = NORMALIZE_MISCONCEPTIONS

    def make_cases(self) -> list[Case]:
        return table_cases(self.id, ND_TABLE, grad=False)

    def reference(self, case: Case) -> Arrays:
        x, gamma, beta, eps = tensors(case)
        bn = BATCH_NORMS[x.dim()](x.shape[1], eps=eps, dtype=x.dtype).train()
        with torch.no_grad():
            present(bn.weight).copy_(gamma)
            present(bn.bias).copy_(beta)
            return {"y": bn(x).numpy().copy()}

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        return compare_bn(case, got, want)

    def variants(self, case: Case) -> list[Variant]:
        return forward_variants(case)

    def diagnose(self, case: Case, got: Arrays) -> list[str]:
        return explain_y(case, got, self.reference(case))


# num_groups, and the data of each group_norm case
GN_TABLE: list[tuple[int, Data]] = [
    (3, Data((2, 6, 4, 4), "float32", "channels_last", quick=True)),
    (2, Data((1, 4, 3, 5), "float64", note="a batch of one")),
    (1, Data((3, 6, 2, 3), "float32", note="one group: LayerNorm over (C, H, W)", quick=True)),
    (4, Data((2, 4, 3, 3), "float64", "noncontiguous", note="C groups: InstanceNorm2d", quick=True)),
    (2, Data((2, 8, 1, 1), "float64", note="1x1 spatial size")),
    (2, Data((3, 4, 3, 3), "float32", scale=1e-3, note=SMALL_VARIANCE_NOTE)),
    (3, Data((2, 6, 5, 5), "float32", note=LARGE_MEAN_NOTE, large_mean=True, quick=True)),
]


class GroupNorm(ExerciseSpec):
    """Graded against nn.GroupNorm; the one-group and C-group cases against LayerNorm and InstanceNorm2d.

    LayerNorm's affine is elementwise over (C, H, W): given gamma and beta broadcast
    over H and W, it is exactly one-group GroupNorm's per-channel affine.
    """

    id = "03.group_norm"
    points = 2
    section = "sec-axes-family"
    summary = "which with one group is LayerNorm and with one channel per group is InstanceNorm"
    misconceptions = NORMALIZE_MISCONCEPTIONS

    def make_cases(self) -> list[Case]:
        cases = table_cases(self.id, [data for _, data in GN_TABLE], grad=False)
        return [
            Case(f"{c.label}, num_groups={g}", c.inputs, {**c.params, "num_groups": g}, c.quick)
            for c, (g, _) in zip(cases, GN_TABLE)
        ]

    def reference(self, case: Case) -> Arrays:
        x, gamma, beta, eps = tensors(case)
        groups, channels = case.params["num_groups"], x.shape[1]
        if groups == 1:
            module: nn.Module = nn.LayerNorm(x.shape[1:], eps=eps, dtype=x.dtype)
            weight, bias = (
                per_channel(gamma, x.dim())[0].expand(x.shape[1:]),
                per_channel(beta, x.dim())[0].expand(x.shape[1:]),
            )
        elif groups == channels:
            module, weight, bias = nn.InstanceNorm2d(channels, eps=eps, affine=True, dtype=x.dtype), gamma, beta
        else:
            module, weight, bias = nn.GroupNorm(groups, channels, eps=eps, dtype=x.dtype), gamma, beta
        with torch.no_grad():
            present(module.weight).copy_(weight)
            present(module.bias).copy_(bias)
            return {"y": module.train()(x).numpy().copy()}

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        return compare_bn(case, got, want)

    AXES: dict[str, Axis] = {
        "grouping": [
            (None, "contiguous"),
            ("wrong-reduction-dims", "interleaved"),
            ("wrong-reduction-dims", "with-batch"),
            ("wrong-reduction-dims", "channels-only"),
        ],
        "variance": VARIANCE_AXIS,
        "eps_mode": EPS_AXIS,
        "affine": AFFINE_AXIS,
    }

    def variants(self, case: Case) -> list[Variant]:
        build = self._build(case)
        return list(compose(self.AXES, lambda **options: {"y": build(**options).numpy()}))

    def diagnose(self, case: Case, got: Arrays) -> list[str]:
        compare = partial(compare_bn, case)
        return explain_output(
            "y", got, self.reference(case), self.AXES, self._build(case), compare, self._one_pass(case)
        )

    @staticmethod
    def _build(case: Case) -> partial[torch.Tensor]:
        x, gamma, beta, eps = tensors(case)
        return partial(group_norm, x, case.params["num_groups"], gamma, beta, eps)

    @staticmethod
    def _one_pass(case: Case) -> OnePassFit | None:
        if not case.params.get("large_mean"):
            return None
        x, _, beta, eps = tensors(case)
        n, groups = x.shape[0], case.params["num_groups"]
        grouped = x.reshape(n, groups, x.shape[1] // groups, -1)
        var = moments(grouped, (2, 3))[1].reshape(-1, 1)

        def rows(t: torch.Tensor) -> torch.Tensor:
            return t.reshape(n * groups, -1)

        shift = per_channel(beta, x.dim()).expand(x.shape)
        return OnePassFit(rows, shift, var, group_bound(x, groups).reshape(-1, 1), eps)


SPECS: list[ExerciseSpec] = [ReductionDims(), BatchNormNd(), GroupNorm()]
