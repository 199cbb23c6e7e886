"""Case data the specs share: seeded generators, data with per-channel structure, case tables, labels.

Grader side. Seeds derive from the exercise id, so the same notebook always gets the same
cases; a ``Data`` table row marked ``quick`` is one of the few cases ``check()`` runs.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import torch

from autograder.types import Arrays, Case

# Mean over standard deviation of the large-mean cases (see compare.LARGE_MEAN_TOLERANCE).
LARGE_MEAN_RATIO = 300.0
LARGE_MEAN_NOTE = "large mean, small spread (the variance must be computed from x - mean)"
SMALL_VARIANCE_NOTE = "small variance, where eps matters"


def rng(exercise_id: str, salt: str = "") -> np.random.Generator:
    """A generator seeded from the exercise id, so the same notebook always gets the same cases."""
    return np.random.default_rng(zlib.crc32(f"{exercise_id}/{salt}".encode()))


def channel_data(
    gen: np.random.Generator, shape: tuple[int, ...], dtype: str, *, center: float = 0.0, scale: float = 1.0
) -> np.ndarray:
    """Normal data whose channels (axis 1) have different means (around ``center``) and spreads."""
    channels = shape[1]
    means = center * (1 + 0.5 * gen.uniform(-1, 1, channels)) + scale * gen.uniform(-2, 2, channels)
    stds = scale * gen.uniform(0.5, 2.0, channels)
    view = (1, channels) + (1,) * (len(shape) - 2)
    return (means.reshape(view) + stds.reshape(view) * gen.standard_normal(shape)).astype(dtype)


def case_label(name: str, array: np.ndarray, layout: str = "contiguous", note: str = "", **params: object) -> str:
    """A case label students can read: "x (4, 3, 5, 5) float32 channels_last, eps=0.001: large mean"."""
    text = f"{name} {tuple(array.shape)} {array.dtype}"
    if layout != "contiguous":
        text += f" {layout}"
    shown = [f"{k}={v}" for k, v in params.items() if v is not None]
    if shown:
        text += ", " + ", ".join(shown)
    return f"{text}: {note}" if note else text


def tensor(array: np.ndarray) -> torch.Tensor:
    """A grader-side torch tensor (a copy) of a case's array."""
    return torch.from_numpy(np.array(array, copy=True))


def present(value: object) -> torch.Tensor:
    """A buffer, parameter or gradient torch types as optional, which the case at hand has."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"expected a tensor, got {type(value).__name__}")
    return value


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


def bn_state(
    gen: np.random.Generator, keys: list[str], channels: int, dtype: str, scale: float, center: float
) -> Arrays:
    """Random values for the state_dict ``keys`` of a bn: weights, statistics, a batch count."""
    weight, bias = affine_params(gen, channels, dtype)
    values = {
        "weight": weight,
        "bias": bias,
        "running_mean": (center + scale * gen.standard_normal(channels)).astype(dtype),
        "running_var": (scale**2 * gen.uniform(0.3, 3.0, channels)).astype(dtype),
        "num_batches_tracked": np.array(gen.integers(0, 9), dtype=np.int64),
    }
    return {key: values[key] for key in keys}


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


def table_cases(exercise_id: str, table: list[Data], *, grad: bool) -> list[Case]:
    """x, gamma, beta (and dy when ``grad``) for each row of ``table``, seeded from the id."""
    cases = []
    for i, row in enumerate(table):
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
        cases.append(Case(case_label("x", x, row.layout, row.note, eps=row.eps), inputs, params, row.quick))
    return cases


def tensors(case: Case) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, float]:
    """x, gamma, beta and eps of a case, as grader-side tensors."""
    return (
        tensor(case.inputs["x"]),
        tensor(case.inputs["gamma"]),
        tensor(case.inputs["beta"]),
        float(case.params["eps"]),
    )
