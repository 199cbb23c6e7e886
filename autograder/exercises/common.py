"""Helpers the chapter spec modules share: seeded data, labels, tensors, variant matching."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable

import numpy as np
import torch

from autograder.exercises.base import Arrays, Mismatch


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


def describe(name: str, array: np.ndarray, layout: str = "contiguous", note: str = "", **params: object) -> str:
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


def matching_variant(
    got: Arrays,
    variants: Iterable[tuple[tuple[str, ...], Callable[[], Arrays]]],
    compare: Callable[[Arrays, Arrays], Mismatch | None],
) -> list[str]:
    """The misconception ids of the first variant that ``got`` matches, or [].

    ``variants`` pairs misconception ids with a function computing that wrong answer;
    list simpler explanations (fewer ids) first, since the first match wins.
    """
    for ids, compute in variants:
        try:
            wrong = compute()
        except (ValueError, ZeroDivisionError, FloatingPointError):
            continue
        if all(name in got for name in wrong) and compare(got, wrong) is None:
            return list(ids)
    return []
