"""Chapter 01 specs: ``01.channel_moments`` and ``01.standardize``.

How a spec module is laid out (copy this shape for ``chNN.py``; DESIGN.md has the recipe):

1. One ``ExerciseSpec`` subclass per exercise, declaring ``id``, ``points``, ``section``
   (the MyST label of the chapter section that teaches it), ``summary`` (its line in the
   notebook's list of exercises) and ``misconceptions`` (the ids it can name; one that
   no other exercise names is defined here, in ``defines``). The probe is the one
   registered under the same id in ``autograder/submission/probes/chNN.py``.
2. ``make_cases()``: seeded from the id (``cases.rng``), varied (batch 1, one channel,
   odd sizes, float32 and float64, channels_last and non-contiguous layouts) plus
   cases that expose the chapter's mistakes; ``quick=True`` marks the few that the
   inline ``check()`` runs in about a second. Arrays go in ``Case.inputs``, JSON-able
   settings (layout, eps, ...) in ``Case.params``: the probe sees both, nothing else.
3. ``reference(case)``: torch's own module, driven exactly as the contract's table
   says, returning arrays keyed like the probe's outputs.
4. ``compare``: ``compare_arrays`` with the outputs' channel axes and, where a case is
   ill-conditioned, a widened tolerance (say why in a comment).
5. ``variants(case)``: the deliberately wrong answers, each a ``Variant`` named by its
   misconception ids, simplest first; ``compute`` returns None where one does not apply.
   ``diagnose`` names the first one the answer matches; override it only to add a
   targeted check (as the one-pass variance below).
6. ``SPECS = [...]`` at the bottom; ``autograder.grader.specs`` collects it. Nothing is
   computed at import time, and a chapter module imports only shared modules.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from autograder.grader.cases import case_label, channel_data, present, rng, tensor
from autograder.grader.compare import Tolerance, compare_arrays, tolerance_for
from autograder.grader.specs.base import ExerciseSpec, Variant
from autograder.grader.variants import channel_dims, moments
from autograder.types import Arrays, Case, Mismatch

DEFAULT_EPS = 1e-5

LARGE_MEAN = "large mean: E[x^2] - E[x]^2 loses precision"
SMALL_VARIANCE = "small variance: eps matters"


class _Data(NamedTuple):
    shape: tuple[int, ...]
    dtype: str
    layout: str  # contiguous, channels_last or noncontiguous (see probes.base.tensor_in)
    center: float  # around which the channel means lie
    scale: float  # the channels' spread
    note: str = ""  # why the case is there, for the label
    eps: float | None = None  # passed to standardize; None: call it with its default
    quick: bool = False  # one of the inline check's cases


_DATA = [
    _Data((4, 3, 5, 5), "float32", "contiguous", 0.0, 1.0, quick=True),
    _Data((1, 2, 3, 3), "float32", "contiguous", 0.0, 1.0, "a batch of one"),
    _Data((3, 1, 4, 4), "float64", "contiguous", 1.0, 2.0, "one channel"),
    _Data((5, 3, 7, 3), "float64", "channels_last", 0.0, 1.0, "odd sizes", eps=1e-3, quick=True),
    _Data((2, 4, 3, 5), "float32", "noncontiguous", 0.5, 1.0),
    _Data((6, 2, 3, 3), "float32", "contiguous", 0.0, 1e-3, SMALL_VARIANCE, quick=True),
    _Data((4, 3, 2, 3), "float64", "channels_last", 0.0, 3e-3, SMALL_VARIANCE, eps=1e-4),
    _Data((3, 3, 5, 5), "float32", "contiguous", 3e3, 1.0, LARGE_MEAN, quick=True),  # last: easier cases fail first
    _Data((2, 3, 4, 4), "float64", "noncontiguous", 1e8, 1.0, LARGE_MEAN),
]


def _cases(exercise_id: str, with_eps: bool) -> list[Case]:
    cases = []
    for index, data in enumerate(_DATA):
        x = channel_data(rng(exercise_id, str(index)), data.shape, data.dtype, center=data.center, scale=data.scale)
        shown = {"eps": data.eps} if with_eps else {}
        label = case_label("x", x, data.layout, data.note, **shown)
        cases.append(Case(label, {"x": x}, {"layout": data.layout, **shown}, data.quick))
    return cases


def _moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and biased variance, in float64, shape (C,): the shared ones, from torch's batch norm."""
    mean, var = moments(torch.from_numpy(x), channel_dims(x.ndim))
    return mean.flatten().numpy(), var.flatten().numpy()


def _groupings(shape: tuple[int, ...]) -> dict[str, tuple[np.ndarray, tuple[int, ...]]]:
    """Ways to group the values of x: a group label per value, and the shape of the groups.

    "channels" is BN's grouping; the others are the wrong reductions students write,
    including ``x.reshape(C, -1)``, which mixes channels without changing any shape.
    """
    n_index, c_index = np.indices(shape)[:2]
    flat = np.arange(int(np.prod(shape))).reshape(shape)
    per_channel = shape[0] * int(np.prod(shape[2:]))
    return {
        "channels": (c_index, (shape[1],)),
        "reshape(C, -1)": (flat // per_channel, (shape[1],)),
        "dim 0 only": (flat % (flat.size // shape[0]), shape[1:]),
        "spatial dims only": (n_index * shape[1] + c_index, shape[:2]),
        "all but dim 0": (n_index, shape[:1]),
        "all dims": (np.zeros(shape, dtype=np.int64), ()),
    }


def _group_moments(x: np.ndarray, labels: np.ndarray, ddof: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance (divided by count - ddof) of each group, in float64."""
    x64, flat = x.astype(np.float64).ravel(), labels.ravel()
    counts = np.bincount(flat)
    mean = np.bincount(flat, x64) / counts
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.bincount(flat, (x64 - mean[flat]) ** 2) / (counts - ddof)
    return mean, var


def _variants(shape: tuple[int, ...], extra: dict[str, tuple[str, ...]]) -> list[tuple[tuple[str, ...], str, int, str]]:
    """Every wrong combination (ids, grouping, ddof, extra key), fewest misconceptions first.

    ``extra`` maps the keys of one more way to go wrong (eps placement) to its ids.
    """
    combos = []
    for grouping in _groupings(shape):
        for ddof in (0, 1):
            for key, extra_ids in extra.items():
                ids: tuple[str, ...] = () if grouping == "channels" else ("wrong-reduction-dims",)
                ids += ("unbiased-normalization",) if ddof else ()
                ids += extra_ids
                if ids:
                    combos.append((ids, grouping, ddof, key))
    return sorted(combos, key=lambda combo: len(combo[0]))


def _large_mean(x: np.ndarray) -> bool:
    """Whether the mean is so large against the spread that E[x^2] - E[x]^2 cancels."""
    mean, var = _moments(x)
    return bool(np.max(np.abs(mean)) > 100 * np.sqrt(np.max(var)))


def _one_pass_variance(x: np.ndarray, var: np.ndarray) -> bool:
    """Whether ``var`` (per channel) is wrong in the way E[x^2] - E[x]^2 is on large-mean data.

    In the input's precision, one pass loses up to about n * eps * mean^2 (or goes
    negative, giving NaN after a square root); a wrong reduction is off by far more.
    Call it only when no simpler variant explained the answer.
    """
    if not _large_mean(x) or var.shape != (x.shape[1],):
        return False
    mean, true_var = _moments(x)
    if not np.isfinite(var).all():
        return True
    bound = (x.size // x.shape[1]) * np.finfo(x.dtype).eps * mean**2
    return bool(np.all(np.abs(var - true_var) <= bound))


class ChannelMoments(ExerciseSpec):
    id = "01.channel_moments"
    points = 1
    section = "sec-shift-moments"
    summary = "the mean and biased variance of every channel of an $(N, C, H, W)$ tensor"
    misconceptions = ("wrong-reduction-dims", "unbiased-normalization", "one-pass-variance")

    def make_cases(self) -> list[Case]:
        return _cases(self.id, with_eps=False)

    def reference(self, case: Case) -> Arrays:
        x = tensor(case.inputs["x"])
        n = x.numel() // x.shape[1]
        bn = nn.BatchNorm2d(x.shape[1], momentum=1.0, dtype=x.dtype).train()
        with torch.no_grad():
            bn(x)
            return {
                "mean": present(bn.running_mean).numpy().copy(),
                "var": (present(bn.running_var) * (n - 1) / n).numpy().copy(),
            }

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        # atol in the units of each output: the data's magnitude for the mean, its
        # variance for the variance (a fixed 1e-5 would accept any variance of 1e-6 data).
        # Two right answers centre x on means rounded differently, which moves the
        # variance by about eps * |mean| * std: on large-mean data that is what torch
        # itself reaches (1e-9 in float64 with mean 1e8), so atol allows four of those.
        x = case.inputs["x"]
        base = tolerance_for(x.dtype)
        mean, var = _moments(x)
        scale_mean = float(np.max(np.abs(x)))
        scale_var = float(np.max(var))
        rounding = 4 * float(np.finfo(x.dtype).eps * np.max(np.abs(mean)) * np.sqrt(scale_var))
        tolerances = {
            "mean": Tolerance(base.rtol, base.atol * scale_mean),
            "var": Tolerance(base.rtol, max(base.atol * scale_var, rounding)),
        }
        return compare_arrays(got, want, channel_axes={"mean": 0, "var": 0}, tolerances=tolerances)

    def variants(self, case: Case) -> list[Variant]:
        x = case.inputs["x"]
        groupings = _groupings(x.shape)

        def wrong(grouping: str, ddof: int) -> Arrays:
            labels, shape = groupings[grouping]
            mean, var = _group_moments(x, labels, ddof)
            return {"mean": mean.reshape(shape).astype(x.dtype), "var": var.reshape(shape).astype(x.dtype)}

        return [Variant(ids, partial(wrong, g, ddof)) for ids, g, ddof, _ in _variants(x.shape, {"": ()})]

    def diagnose(self, case: Case, got: Arrays) -> list[str]:
        x = case.inputs["x"]
        found = super().diagnose(case, got)
        if not found and "var" in got and _one_pass_variance(x, got["var"].astype(np.float64)):
            found.append("one-pass-variance")
        return found


class Standardize(ExerciseSpec):
    id = "01.standardize"
    points = 1
    section = "sec-shift-standardize"
    summary = "which subtracts the channel mean and divides by the channel standard deviation"
    misconceptions = (
        "wrong-reduction-dims",
        "unbiased-normalization",
        "missing-eps",
        "eps-outside-sqrt",
        "one-pass-variance",
    )

    def make_cases(self) -> list[Case]:
        return _cases(self.id, with_eps=True)

    def reference(self, case: Case) -> Arrays:
        x = tensor(case.inputs["x"])
        bn = nn.BatchNorm2d(x.shape[1], eps=self._eps(case), affine=False, track_running_stats=False, dtype=x.dtype)
        with torch.no_grad():
            return {"y": bn.train()(x).numpy().copy()}

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        # Two correct answers may round the channel mean to neighbouring floats; that
        # moves y by about eps * |mean| / std, which is large when the mean is. atol
        # allows four such roundings (it stays 1e-5 on well-conditioned float32 cases).
        x = case.inputs["x"]
        mean, var = _moments(x)
        base = tolerance_for(x.dtype)
        rounding = 4 * np.finfo(x.dtype).eps * np.max(np.abs(mean)) / np.sqrt(np.min(var) + self._eps(case))
        tolerance = Tolerance(base.rtol, max(base.atol, float(rounding)))
        return compare_arrays(got, want, channel_axes={"y": 1}, tolerances={"y": tolerance})

    def variants(self, case: Case) -> list[Variant]:
        x, eps = case.inputs["x"], self._eps(case)
        groupings = _groupings(x.shape)
        denominators: dict[str, Callable[[np.ndarray], np.ndarray]] = {
            "inside": lambda var: np.sqrt(var + eps),
            "missing": np.sqrt,
            "outside": lambda var: np.sqrt(var) + eps,
        }

        def wrong(grouping: str, ddof: int, eps_mode: str) -> Arrays:
            labels, _ = groupings[grouping]
            mean, var = _group_moments(x, labels, ddof)
            with np.errstate(divide="ignore", invalid="ignore"):
                y = (x.astype(np.float64) - mean[labels]) / denominators[eps_mode](var[labels])
            return {"y": y.astype(x.dtype)}

        eps_ids = {"inside": (), "missing": ("missing-eps",), "outside": ("eps-outside-sqrt",)}
        return [Variant(ids, partial(wrong, g, ddof, mode)) for ids, g, ddof, mode in _variants(x.shape, eps_ids)]

    def diagnose(self, case: Case, got: Arrays) -> list[str]:
        x, eps = case.inputs["x"], self._eps(case)
        found = super().diagnose(case, got)
        if (
            not found
            and "y" in got
            and got["y"].shape == x.shape
            and _one_pass_variance(x, self._implied_variance(x, got["y"], eps))
        ):
            found.append("one-pass-variance")
        return found

    @staticmethod
    def _eps(case: Case) -> float:
        eps = case.params.get("eps")
        return DEFAULT_EPS if eps is None else float(eps)

    @staticmethod
    def _implied_variance(x: np.ndarray, y: np.ndarray, eps: float) -> np.ndarray:
        """The per-channel variance an answer y = (x - mean) / sqrt(var + eps) must have used."""
        mean, _ = _moments(x)
        centered = np.moveaxis(x.astype(np.float64), 1, 0).reshape(x.shape[1], -1) - mean[:, None]
        y64 = np.moveaxis(y.astype(np.float64), 1, 0).reshape(x.shape[1], -1)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = (centered**2).sum(axis=1) / (y64 * centered).sum(axis=1)
        return scale**2 - eps


SPECS: list[ExerciseSpec] = [ChannelMoments(), Standardize()]
