"""Comparing a student's arrays with the reference, with tolerances per dtype.

A value passes when ``|got - want| <= atol + rtol * |want|`` (numpy's ``isclose``).
Tolerances are chosen per dtype (of the reference):

- float64, for every exercise: rtol 1e-10, and atol 1e-10 in units of the output's
  largest magnitude (``atol * max(1, max |want|)``, ``default_tolerance``): the
  precision torch itself reaches in float64, with room. Measured on every float64 case
  of the course, the solutions agree with torch to 2e-14 of the output's largest
  magnitude (7e-14 relative; 5e-13 on 05.BatchNorm2d's large-mean case, whose mean is
  1e4 times its spread), and so do the other correct ways the tests write them
  (two-pass, einsum, numpy, loops, lerp); float32 leaking into float64 (``1 / k`` from
  a long tensor, a constant made with ``torch.tensor(...)`` in the default dtype,
  statistics computed in float32) moves outputs by 3e-8 to 2e-6 of it, and fails. The
  feedback's hint says when a float64 error is of that size (``FLOAT32_LEAK``, ``hints``).
  ``tests/grader/test_float64_rule.py`` re-measures both sides. Every mistake the course
  names (eps, n versus n-1, a missing gradient term) is 1e-6 or more.
- float32: rtol 1e-4, atol 1e-5, about 1000 ulps at magnitude 1. Summation order and
  float32 versus torch's double accumulation move results by a few ulps times
  log(n); 1e-4 leaves room for that on up to ~1e5 values per channel, and stays far
  below the smallest mistake graded (a missing eps on a small-variance case, ~1e-2).
- float16 / bfloat16: rtol 1e-2 / 2e-2; integers and booleans: exact.

A spec may widen ``atol`` for one case (ill-conditioned inputs); the detail says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

import numpy as np

from autograder.submission.probes.modules import NOTHING_RAISED, TEXT_OUTPUTS, text_in
from autograder.types import Arrays, Case, Mismatch


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float

    def text(self, dtype: np.dtype) -> str:
        if self.rtol == 0 and self.atol == 0:
            return f"tolerance for {dtype}: exact"
        return f"tolerance for {dtype}: |got - want| <= {self.atol:.0e} + {self.rtol:.0e} * |want|"


TOLERANCES: dict[str, Tolerance] = {
    "float64": Tolerance(rtol=1e-10, atol=1e-10),
    "float32": Tolerance(rtol=1e-4, atol=1e-5),
    "float16": Tolerance(rtol=1e-2, atol=1e-3),
    "bfloat16": Tolerance(rtol=2e-2, atol=1e-2),
}
EXACT = Tolerance(rtol=0.0, atol=0.0)
# Float32 large-mean cases (mean 300 standard deviations): a two-pass variance stays within
# ~6e-5 of torch's output while E[x^2] - E[x]^2 is off by 2e-3 or more (measured over many
# seeds and shapes); the case's tolerance sits between the two.
LARGE_MEAN_TOLERANCE = Tolerance(rtol=1e-4, atol=4e-4)
BN_CHANNEL_AXES = {"y": 1, "dx": 1, "dgamma": 0, "dbeta": 0}


# A float64 error between these fractions of the output's largest magnitude is float32's
# rounding (float32's eps is 1.2e-7), not a mistake in the formula.
FLOAT32_LEAK = (1e-9, 1e-5)


def tolerance_for(dtype: np.dtype) -> Tolerance:
    """The tolerance for arrays of ``dtype``, before any scaling: exact for integers and booleans."""
    return TOLERANCES.get(np.dtype(dtype).name, EXACT)


def default_tolerance(want: np.ndarray) -> Tolerance:
    """The tolerance ``compare_arrays`` uses unless told otherwise: in float64, atol in units of
    the array's largest magnitude (the one float64 rule); other dtypes as ``tolerance_for``."""
    return scaled_tolerance(want) if want.dtype == np.float64 else tolerance_for(want.dtype)


def compare_arrays(
    got: Mapping[str, np.ndarray],
    want: Arrays,
    *,
    channel_axes: Mapping[str, int] | None = None,
    tolerances: Mapping[str, Tolerance] | None = None,
    axis_names: Mapping[str, tuple[str, ...]] | None = None,
) -> Mismatch | None:
    """The first output (in ``want``'s order) where ``got`` differs from ``want``, or None.

    ``channel_axes`` names the channel axis of outputs that have one, so the detail can
    say which channel is worst; ``axis_names`` names every axis of an output instead
    (("batch", "channel"): "index (2, 1), i.e. batch 2, channel 1, counted from 0");
    ``tolerances`` overrides the per-dtype default by output.
    """
    for name, expected in want.items():
        if name not in got:
            return Mismatch(name, f"the answer produced no {name!r}")
        where = partial(_where, channel_axis=(channel_axes or {}).get(name), names=(axis_names or {}).get(name))
        tolerance = (tolerances or {}).get(name) or default_tolerance(np.asarray(expected))
        problem = _compare_one(np.asarray(got[name]), np.asarray(expected), where, tolerance)
        if problem:
            return Mismatch(name, problem)
    return None


def _compare_one(
    got: np.ndarray, want: np.ndarray, where: Callable[[tuple[int, ...]], str], tolerance: Tolerance
) -> str | None:
    if got.shape != want.shape:
        return f"shape {got.shape}, expected {want.shape}"
    if got.dtype != want.dtype:
        return f"dtype {got.dtype}, expected {want.dtype}"
    if got.size == 0:
        return None
    if got.dtype.kind == "f":
        bad = ~np.isfinite(got) & np.isfinite(want)
        if bad.any():
            index = _first(bad)
            kind = "NaN" if np.isnan(got[index]) else "Inf"
            return (
                f"{int(bad.sum())} of {got.size} values are NaN or Inf where the reference is finite; "
                f"first {kind} at {where(index)}"
            )
        got64, want64 = got.astype(np.float64), want.astype(np.float64)
        same = (got64 == want64) | (np.isnan(got64) & np.isnan(want64))
        with np.errstate(invalid="ignore"):
            error = np.where(same, 0.0, np.nan_to_num(np.abs(got64 - want64), nan=np.inf, posinf=np.inf))
        allowed = np.where(np.isfinite(want64), tolerance.atol + tolerance.rtol * np.abs(np.nan_to_num(want64)), 0.0)
        excess = error - allowed
    else:
        error = (got != want).astype(np.float64)
        excess = error
    if not (excess > 0).any():
        return None
    index = tuple(int(i) for i in np.unravel_index(int(np.argmax(excess)), excess.shape))
    return (
        f"{int((excess > 0).sum())} of {got.size} values differ; worst at {where(index)}: "
        f"got {got[index].item():.7g}, expected {want[index].item():.7g} (abs error {error[index]:.2e}); "
        f"max abs error {float(np.max(error)):.2e}; {tolerance.text(want.dtype)}"
    )


def _first(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _where(index: tuple, channel_axis: int | None = None, names: tuple[str, ...] | None = None) -> str:
    index = tuple(int(i) for i in index)
    text = f"index {index}"
    if names is not None and len(names) == len(index):
        return text + ", i.e. " + ", ".join(f"{n} {i}" for n, i in zip(names, index)) + " (counted from 0)"
    if channel_axis is not None and len(index) > channel_axis:
        text += f" (channel {index[channel_axis]})"
    return text


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
    return compare_arrays(got, want, channel_axes=BN_CHANNEL_AXES, tolerances=tolerances)


def is_text(key: str) -> bool:
    return key.rsplit(": ", 1)[-1] in TEXT_OUTPUTS


def scaled_tolerance(want: np.ndarray) -> Tolerance:
    """The dtype's tolerance with atol in units of the array's largest magnitude.

    Outputs such as dx = w / std * (dy - mean(dy) - x_hat * mean(dy * x_hat)) are
    differences of terms as large as the array's largest entries; rounding those terms
    differently (a correct answer's right) moves the small entries by a few ulps of
    the large ones, which a fixed atol of 1e-5 would call wrong when 1 / std is large.
    """
    base = tolerance_for(want.dtype)
    if want.dtype.kind != "f" or want.size == 0:
        return base
    return Tolerance(base.rtol, base.atol * max(1.0, float(np.max(np.abs(want)))))


def compare_outputs(got: Arrays, want: Arrays, keys: list[str] | None = None) -> Mismatch | None:
    """The first of ``keys`` (default: all of ``want``) where ``got`` differs; strings compared as text."""
    for key in want if keys is None else keys:
        if key not in want:
            if key in got:
                return Mismatch(
                    key, "torch has no such output here (e.g. a gradient of a parameter torch does not have)"
                )
            continue
        if key not in got:
            return Mismatch(key, "the answer produced no such output (no gradient reached it, or it does not exist)")
        if is_text(key):
            have, expected = text_in(got[key]), text_in(want[key])
            if have != expected:
                return Mismatch(key, _text_difference(key, have, expected))
            continue
        found = compare_arrays({key: got[key]}, {key: want[key]}, tolerances={key: scaled_tolerance(want[key])})
        if found:
            return found
    return None


def _text_difference(key: str, have: str, expected: str) -> str:
    """How a text output differs: quoted strings, or for an exception, what was raised and what torch raises."""
    if not key.endswith(": raised"):
        return f"got {have!r}, expected {expected!r}"
    yours = "your code raised nothing" if have == NOTHING_RAISED else f"your code raised {have!r}"
    torchs = "torch raises nothing" if expected == NOTHING_RAISED else f"torch raises {expected!r}"
    return f"{yours}; {torchs}"


def numeric_keys(arrays: Arrays) -> list[str]:
    return [key for key in arrays if not is_text(key)]


def changed_dtype(got: Arrays, want: Arrays) -> bool:
    """Whether some floating output came back in another dtype than torch's."""
    return any(
        key in got and want[key].dtype.kind == "f" and got[key].dtype != want[key].dtype for key in numeric_keys(want)
    )
