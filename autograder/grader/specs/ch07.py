"""Chapter 07 specs: ``07.sync_moments`` and ``07.sync_batch_norm``.

A case is one world size (2 or 3 gloo processes, started by the probe) and a few
rounds; each round splits one batch into unequal shards, one per rank (a rank may
hold a single sample). The reference is ``torch.nn.BatchNorm2d`` on the concatenated
batch: its statistics (``momentum=1.0``: running_mean is the mean, running_var the
unbiased variance) for the moments, its train-mode output split back into shards for
the normalization. The last round of the 3-process case passes a sub-group of ranks 0
and 2, so an answer must hand ``group`` to its collectives.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import torch
from torch import nn

from autograder.grader.cases import affine_params, channel_data, present, rng, tensor
from autograder.grader.compare import changed_dtype, compare_outputs
from autograder.grader.specs.base import ExerciseSpec, Variant
from autograder.grader.variants import bn_train
from autograder.submission.probes.distributed import shard_key
from autograder.types import Arrays, Case, Mismatch

# world size, rounds: (shard sizes N per rank, C, H, W, dtype, eps, ranks of a sub-group or None), quick
_WORLDS: list[tuple[int, list[tuple[list[int], int, int, int, str, float, list[int] | None]], bool]] = [
    (
        2,
        [
            ([3, 1], 3, 4, 4, "float32", 1e-5, None),
            ([2, 5], 2, 3, 2, "float64", 1e-3, None),
            ([1, 2], 4, 1, 3, "float32", 0.1, None),
        ],
        True,
    ),
    (
        3,
        [
            ([2, 1, 4], 3, 3, 3, "float32", 1e-5, None),
            ([1, 3, 2], 1, 5, 2, "float64", 0.1, None),
            ([3, 2, 2], 2, 2, 2, "float32", 1e-3, [0, 2]),
        ],
        True,
    ),
]


def _members(world: int, group: list[int] | None) -> list[int]:
    return list(range(world)) if group is None else group


def _rounds(case: Case) -> list[tuple[int, list[int], list[np.ndarray]]]:
    """Per round: its number, the ranks that take part, and their shards in rank order."""
    out = []
    for index, spec in enumerate(case.params["rounds"], start=1):
        members = _members(case.params["world_size"], spec.get("group"))
        out.append((index, members, [case.inputs[shard_key(index, rank)] for rank in members]))
    return out


def _cases(exercise_id: str, normalize: bool) -> list[Case]:
    cases = []
    for world, rounds, quick in _WORLDS:
        gen = rng(exercise_id, str(world))
        inputs: Arrays = {}
        specs, described = [], []
        for index, (sizes, c, h, w, dtype, eps, group) in enumerate(rounds, start=1):
            scale = float(np.sqrt(eps) * 2) if eps > 1e-5 else 1.0  # a variance comparable to eps: eps matters
            batch = channel_data(gen, (sum(sizes), c, h, w), dtype, center=1.0, scale=scale)
            gamma, beta = affine_params(gen, c, dtype)
            for rank, shard in enumerate(np.split(batch, np.cumsum(sizes)[:-1])):
                inputs[shard_key(index, rank)] = shard
                if normalize:
                    inputs[shard_key(index, rank, "gamma")] = gamma
                    inputs[shard_key(index, rank, "beta")] = beta
            specs.append({"eps": eps, "group": group} if normalize else {"group": group})
            described.append(
                f"batch sizes {sizes} of ({c}, {h}, {w}) {dtype}" + (f" in group {group}" if group else "")
            )
        label = f"{world} processes; round " + "; round ".join(f"{i}: {d}" for i, d in enumerate(described, start=1))
        cases.append(Case(label, inputs, {"world_size": world, "rounds": specs}, quick))
    return cases


class SyncMoments(ExerciseSpec):
    id = "07.sync_moments"
    points = 2
    section = "sec-distributed-moments"
    summary = "the mean, biased variance and count of the concatenated batch, from per-process sums"
    misconceptions = ("unbiased-normalization", "dtype-changed")

    def make_cases(self) -> list[Case]:
        return _cases(self.id, normalize=False)

    def reference(self, case: Case) -> Arrays:
        want: Arrays = {}
        for index, members, shards in _rounds(case):
            batch = tensor(np.concatenate(shards))
            n = batch.numel() // batch.shape[1]
            bn = nn.BatchNorm2d(batch.shape[1], momentum=1.0, dtype=batch.dtype)
            with torch.no_grad():
                bn(batch)
            stats = {"mean": present(bn.running_mean), "var": present(bn.running_var) * (n - 1) / n}
            for rank in members:
                want |= {shard_key(index, rank, k): v.numpy().copy() for k, v in stats.items()}
                want[shard_key(index, rank, "count")] = np.array(float(n))
        return want

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        return compare_outputs(got, want)

    def variants(self, case: Case) -> list[Variant]:
        """The unbiased variance. (Local or unweighted statistics have no id: the mismatch says it.)"""
        want = self.reference(case)

        def unbiased() -> Arrays:
            wrong = dict(want)
            for index, members, shards in _rounds(case):
                n = sum(s.size for s in shards) // shards[0].shape[1]
                for rank in members:
                    key = shard_key(index, rank, "var")
                    wrong[key] = (want[key].astype(np.float64) * n / (n - 1)).astype(want[key].dtype)
            return wrong

        return [Variant(("unbiased-normalization",), unbiased)]

    def diagnose(self, case: Case, got: Arrays) -> list[str]:
        found = ["dtype-changed"] if changed_dtype(got, self.reference(case)) else []
        return found + super().diagnose(case, got)


class SyncBatchNorm(ExerciseSpec):
    id = "07.sync_batch_norm"
    points = 2
    section = "sec-distributed-sync"
    summary = "the train-mode output of this process's shard, normalized with the global statistics"
    misconceptions = ("unbiased-normalization", "missing-eps", "eps-outside-sqrt", "ignores-affine", "dtype-changed")

    def make_cases(self) -> list[Case]:
        return _cases(self.id, normalize=True)

    def reference(self, case: Case) -> Arrays:
        want: Arrays = {}
        for index, members, shards in _rounds(case):
            batch = tensor(np.concatenate(shards))
            first = members[0]
            bn = nn.BatchNorm2d(batch.shape[1], eps=case.params["rounds"][index - 1]["eps"], dtype=batch.dtype)
            with torch.no_grad():
                present(bn.weight).copy_(tensor(case.inputs[shard_key(index, first, "gamma")]))
                present(bn.bias).copy_(tensor(case.inputs[shard_key(index, first, "beta")]))
                y = bn(batch).numpy()
            parts = np.split(y, np.cumsum([len(s) for s in shards])[:-1])
            want |= {shard_key(index, rank, "y"): part.copy() for rank, part in zip(members, parts)}
        return want

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        return compare_outputs(got, want)

    def variants(self, case: Case) -> list[Variant]:
        def wrong(**options: Any) -> Arrays:
            out: Arrays = {}
            for index, members, shards in _rounds(case):
                batch = tensor(np.concatenate(shards))
                gamma = tensor(case.inputs[shard_key(index, members[0], "gamma")])
                beta = tensor(case.inputs[shard_key(index, members[0], "beta")])
                y = bn_train(batch, gamma, beta, case.params["rounds"][index - 1]["eps"], **options).numpy()
                parts = np.split(y, np.cumsum([len(s) for s in shards])[:-1])
                out |= {shard_key(index, rank, "y"): part.copy() for rank, part in zip(members, parts)}
            return out

        return [
            Variant(("unbiased-normalization",), partial(wrong, variance="unbiased")),
            Variant(("missing-eps",), partial(wrong, eps_mode="none")),
            Variant(("eps-outside-sqrt",), partial(wrong, eps_mode="outside")),
            Variant(("ignores-affine",), partial(wrong, affine="none")),
        ]

    def diagnose(self, case: Case, got: Arrays) -> list[str]:
        found = ["dtype-changed"] if changed_dtype(got, self.reference(case)) else []
        return found + super().diagnose(case, got)


SPECS: list[ExerciseSpec] = [SyncMoments(), SyncBatchNorm()]
