"""Symptom probes for a ``BatchNorm2d`` answer (grader side): observations that each isolate one behaviour.

A wrong module is named today by the flawed module that reproduces its first wrong
step (``specs/ch05.explain_by_flaws``); a mistake made in another order than the flawed
module's, or two mistakes at once, reproduce nothing. The symptom program is one case
whose outputs are read one behaviour at a time, each from the answer's own state before
and after the step, so what one mistake does never hides another:

- which statistics normalized each forward (the batch's, or the running ones before
  or after the step), with which eps placement and which of gamma and beta were
  applied (each on its own, also where torch has none): every combination is
  computed from torch's batch statistics (``variants.moments``) and the answer's own
  buffers and parameters, and the one that reproduces ``y`` is read off;
- whether an eval forward changed the statistics or the count;
- how much a training forward moved the count, and with which weight the running mean
  moved toward torch's batch mean (recovered per channel:
  ``(mean_after - mean_before) / (batch_mean - mean_before)``), against PyTorch's
  ``momentum``, Keras's ``1 - momentum``, and for ``momentum=None`` ``1/k`` with the
  count the answer holds;
- which batch variance, torch's unbiased or biased one, the running variance took
  with that weight;
- with ``track_running_stats=False``: whether buffers moved or normalized anything; set
  after construction (torch then normalizes with the batch in training and updates
  nothing, and with the buffers it holds in eval): whether a training forward moved
  them or the count;
- with ``affine=False``: whether the answer holds a ``weight`` or ``bias`` (``extra_affine``).

A symptom names its misconception only when nothing else explains it: a count or
statistics that move in eval are ``updates-in-eval`` (the course's definition: "changes
running statistics (or the batch count) in eval mode"); a training forward
that took the eval path and so neither counted nor updated is
``running-stats-in-training`` alone, and so is normalizing with the running statistics
once tracking is turned off; ``1/(k+1)`` from a count that is itself off by
one is ``batch-count-wrong`` alone; several explanations of one ``y`` with as few
names are none.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import torch

from autograder.grader.cases import bn_state, channel_data, dy_data
from autograder.grader.compare import tolerance_for
from autograder.grader.variants import EpsMode, channel_dims, moments, per_channel, scale
from autograder.submission.probes.modules import Op, step_name
from autograder.types import Arrays

EPS = 0.01  # the data's variance is 1 to 16 times eps: every eps placement differs visibly
SCALE = 2 * EPS**0.5
CHANNELS = 3
STATE = ("running_mean", "running_var", "num_batches_tracked", "weight", "bias")
EPS_MODES: dict[EpsMode, str | None] = {"inside": None, "none": "missing-eps", "outside": "eps-outside-sqrt"}


def symptom_program(gen: np.random.Generator) -> tuple[Arrays, list[Op]]:
    """The inputs and operations of the symptom case (float64, 3 channels, eps 0.01).

    Four modules in turn: momentum 0.1 (train and eval forwards, with and without grad,
    then an eval forward on a running variance far below eps), momentum None (three
    training forwards around an eval one), track_running_stats=False, and affine=False
    (loaded with torch's keys and a random weight and bias, which torch ignores; a
    training forward, then track_running_stats = False and a forward in each mode).
    Loaded running means sit far below the batches' means, so every update moves them
    measurably.
    """
    inputs: Arrays = {}
    ops: list[Op] = []
    kwargs = {"num_features": CHANNELS, "eps": EPS, "dtype": "float64"}

    def load(name: str, var_scale: float) -> None:
        keys = ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
        state = bn_state(gen, keys, CHANNELS, "float64", SCALE, 0.0)  # torch without affine ignores weight, bias
        state["running_mean"] = -1.5 + SCALE * gen.uniform(-1, 1, CHANNELS)
        state["running_var"] = var_scale * gen.uniform(1, 4, CHANNELS)
        state["num_batches_tracked"] = np.array(3, dtype=np.int64)
        inputs.update({f"{name}.{key}": value for key, value in state.items()})
        ops.append({"op": "load", "state": name, "keys": keys})

    def forward(mode: str, shape: tuple[int, int, int, int], *, backward: bool = False, no_grad: bool = False) -> None:
        name = f"x{sum(op['op'] == 'forward' for op in ops) + 1}"
        inputs[name] = channel_data(gen, shape, "float64", center=float(gen.uniform(0.5, 1.5)), scale=SCALE)
        op: Op = {"op": "forward", "mode": mode, "x": name}
        if backward:
            op["dy"] = "d" + name
            inputs[op["dy"]] = dy_data(gen, shape, "float64")
        if no_grad:
            op["no_grad"] = True
        ops.append(op)

    ops.append({"op": "new", "kwargs": kwargs})
    load("state1", SCALE**2)
    forward("train", (3, CHANNELS, 2, 2))  # first without backward: an in-place change of x shows
    forward("eval", (2, CHANNELS, 2, 3), backward=True)
    forward("train", (2, CHANNELS, 3, 2), no_grad=True)
    forward("eval", (2, CHANNELS, 2, 2), no_grad=True)
    forward("train", (4, CHANNELS, 2, 2), backward=True)
    load("state2", EPS * 1e-3)
    forward("eval", (2, CHANNELS, 2, 2))
    ops.append({"op": "new", "kwargs": kwargs | {"momentum": None}})
    load("state3", SCALE**2)
    forward("train", (2, CHANNELS, 2, 3), backward=True)
    forward("train", (3, CHANNELS, 2, 2))
    forward("eval", (2, CHANNELS, 3, 2))
    forward("train", (2, CHANNELS, 2, 2))
    ops.append({"op": "new", "kwargs": kwargs | {"track_running_stats": False}})
    forward("train", (2, CHANNELS, 2, 3), backward=True)
    forward("eval", (3, CHANNELS, 2, 2))
    ops.append({"op": "new", "kwargs": kwargs | {"affine": False}})
    load("state4", SCALE**2)
    forward("train", (2, CHANNELS, 2, 2))
    ops.append({"op": "untrack"})
    forward("train", (3, CHANNELS, 2, 2), backward=True)
    forward("eval", (2, CHANNELS, 2, 3), backward=True)
    return inputs, ops


@dataclass(frozen=True)
class Forward:
    """One forward of the program as the answer ran it: its settings, y and the state around it."""

    mode: str
    momentum: float | None
    eps: float
    tracked: bool  # track_running_stats is True here
    buffers: bool  # torch holds running statistics here (constructed tracking)
    gamma: bool  # torch applies a weight here
    beta: bool  # torch applies a bias here
    x: torch.Tensor  # float64
    y: np.ndarray | None
    before: dict[str, np.ndarray]
    after: dict[str, np.ndarray]


def forwards(inputs: Arrays, ops: list[Op], got: Arrays) -> list[Forward]:
    """The program's forwards (none raises), each with the answer's state before and after it."""
    found = []
    kwargs: dict = {}
    untracked = False  # track_running_stats set to False after construction
    previous: dict[str, np.ndarray] = {}
    for index, op in enumerate(ops, start=1):
        prefix = step_name(index, op, inputs)
        state = {name: got[f"{prefix}: {name}"] for name in STATE if f"{prefix}: {name}" in got}
        buffers, affine = kwargs.get("track_running_stats", True), kwargs.get("affine", True)
        if op["op"] == "new":
            kwargs, untracked = op["kwargs"], False
        elif op["op"] == "untrack":
            untracked = True
        elif op["op"] == "forward":
            found.append(
                Forward(
                    op["mode"],
                    kwargs.get("momentum", 0.1),
                    kwargs["eps"],
                    buffers and not untracked,
                    buffers,
                    affine,
                    affine and kwargs.get("bias", True),
                    torch.from_numpy(np.array(inputs[op["x"]], dtype=np.float64)),
                    got.get(f"{prefix}: y"),
                    previous,
                    state,
                )
            )
        previous = state
    return found


def read_symptoms(inputs: Arrays, ops: list[Op], got: Arrays) -> list[str]:
    """The misconceptions the symptom program's outputs show, in the order first seen."""
    named: list[str] = []
    none_weights: list[float] = []  # wrong update weights of momentum=None training forwards
    momentum_updates = False  # some training forward with a float momentum moved by a known weight
    for step in forwards(inputs, ops, got):
        path, found = normalized_with(step)
        if step.buffers and not step.tracked and "running-stats-in-training" in named:
            found = [m for m in found if m != "untracked-uses-running"]  # running statistics in training anyway
        if step.tracked:
            state, reading, weight = state_symptoms(step, path)
            found += state
            momentum_updates |= reading in ("pytorch", "keras") and step.momentum is not None
            if reading == "other" and step.momentum is None and weight is not None:
                none_weights.append(weight)
        elif _moved(step) if not step.buffers else step.mode == "train" and (_moved(step) or _counted(step)):
            found.append("untracked-uses-running")
        named += [m for m in found if m not in named]
    named += [m for m in extra_affine(inputs, ops, got) if m not in named]
    # momentum=None read as some other weight; a weight of 0 only if updating works otherwise
    if any(abs(w) > 1e-3 or momentum_updates for w in none_weights) and "no-cumulative-average" not in named:
        named.append("no-cumulative-average")
    return named


# ---------------------------------------------------------------- which statistics normalized y


def normalized_with(step: Forward) -> tuple[str | None, list[str]]:
    """("batch" or "running", the misconceptions ``y`` shows), or (None, []) when no combination explains it.

    Every combination of statistics (torch's batch mean with its biased or unbiased
    variance, the answer's running statistics before or after the step, or the initial
    0 and 1 when torch keeps none), eps placement and use of the answer's weight and
    bias (each applied or not) is computed; of those that reproduce ``y``, the ones with
    the fewest names must agree. Applying a weight or bias where torch applies none, or
    leaving out one torch applies, is ``ignores-affine``.
    """
    if step.y is None or not np.isfinite(step.y).all():
        return None, []
    matches = []
    for (source, mean, var), (eps_mode, eps_name), gamma, beta in itertools.product(
        _sources(step), EPS_MODES.items(), _applied(step, "weight"), _applied(step, "bias")
    ):
        xhat = (step.x - per_channel(mean, 4)) / scale(per_channel(var, 4), step.eps, eps_mode)
        candidate = _affine(xhat, step.before, gamma, beta)
        if _close(step.y, candidate.numpy()):
            affine = ["ignores-affine"] if (gamma, beta) != (step.gamma, step.beta) else []
            names = _source_names(step, source) + [eps_name] + affine
            matches.append((source.split("-")[0], [n for n in names if n]))
    if not matches:
        return None, []
    fewest = min(len(names) for _, names in matches)
    simplest = {(path, tuple(names)) for path, names in matches if len(names) == fewest}
    if len({names for _, names in simplest}) != 1:
        return None, []
    paths = {path for path, _ in simplest}
    return (paths.pop() if len(paths) == 1 else None), list(next(iter(simplest))[1])


def _sources(step: Forward) -> list[tuple[str, torch.Tensor, torch.Tensor]]:
    """(name, mean, variance) of every statistic ``y`` may have been normalized with, float64 (C,)."""
    mean, var = (t.flatten() for t in moments(step.x, channel_dims(4)))
    n = step.x.numel() // step.x.shape[1]
    sources = [("batch", mean, var), ("batch-unbiased", mean, var * n / (n - 1))]
    for when, state in (("before", step.before), ("after", step.after)):
        if "running_mean" in state and "running_var" in state:
            sources.append((f"running-{when}", _t(state["running_mean"]), _t(state["running_var"])))
    if not step.buffers:
        ones = torch.ones(step.x.shape[1], dtype=torch.float64)
        sources.append(("running-initial", 0 * ones, ones))
    return sources


def _source_names(step: Forward, source: str) -> list[str]:
    names = ["unbiased-normalization"] if source == "batch-unbiased" else []
    if source.startswith("running") and not step.tracked and (step.mode == "train" or not step.buffers):
        names.append("untracked-uses-running")
    elif source.startswith("running") and step.mode == "train":
        names.append("running-stats-in-training")
    elif source.startswith("batch") and step.buffers and step.mode == "eval":
        names.append("batch-stats-in-eval")
    return names


def _applied(step: Forward, name: str) -> tuple[bool, ...]:
    """Whether the answer's ``name`` (weight or bias) may have been applied: only if it has one."""
    return (True, False) if name in step.before else (False,)


def _affine(xhat: torch.Tensor, state: dict[str, np.ndarray], gamma: bool, beta: bool) -> torch.Tensor:
    if gamma:
        xhat = xhat * per_channel(_t(state["weight"]), 4)
    if beta:
        xhat = xhat + per_channel(_t(state["bias"]), 4)
    return xhat


def extra_affine(inputs: Arrays, ops: list[Op], got: Arrays) -> list[str]:
    """["ignores-affine"] when a module built with ``affine=False`` holds a ``weight`` or ``bias`` in its
    state_dict (torch's has neither); a bias held with ``bias=False`` alone is not that misconception."""
    affine = True
    for index, op in enumerate(ops, start=1):
        affine = op["kwargs"].get("affine", True) if op["op"] == "new" else affine
        prefix = step_name(index, op, inputs)
        if not affine and (f"{prefix}: weight" in got or f"{prefix}: bias" in got):
            return ["ignores-affine"]
    return []


# ---------------------------------------------------------------- the running statistics and the count


def state_symptoms(step: Forward, path: str | None) -> tuple[list[str], str | None, float | None]:
    """(misconceptions, how the update weight reads, the weight) for a forward of a tracking module.

    The reading is "pytorch", "keras", "other" (one weight for all channels, neither) or
    None (no training update to read). Everything comes from the answer's own state
    before and after the forward.
    """
    if not all(name in state for state in (step.before, step.after) for name in STATE[:3]):
        return [], None, None
    before, after = _count(step.before), _count(step.after)
    if before is None or after is None:
        return [], None, None  # a counter that is not one integer: the comparison says so
    counted = after - before
    moved = _moved(step)
    if step.mode == "eval":
        return (["updates-in-eval"] if moved or counted else []), None, None  # the count is state too
    if path != "batch" and not moved and counted == 0:
        return [], None, None  # the eval path, taken in training (y names it, if it can tell)
    found = ["batch-count-wrong"] if counted != 1 else []
    weight = _update_weight(step)
    if weight is None:
        return found, None, None
    right, keras = _expected_weights(step)
    tolerance = _weight_tolerance(step)
    if any(abs(weight - w) <= tolerance for w in right):
        reading = "pytorch"
    elif step.momentum != 0.5 and any(abs(weight - w) <= tolerance for w in keras):
        reading = "keras"
        found.append("keras-momentum")
    else:
        return found, "other", weight
    return found + _stored_variance(step, weight), reading, weight


def _expected_weights(step: Forward) -> tuple[list[float], list[float]]:
    """PyTorch's update weights for this step and Keras's reading of them.

    For momentum=None, 1/k counts with the answer's own count (before the step plus
    one, or after it): a wrong count is the count's mistake, not the average's.
    """
    if step.momentum is not None:
        return [step.momentum], [1 - step.momentum]
    counts = {(_count(step.before) or 0) + 1, _count(step.after) or 0}
    right = [1 / k for k in counts if k > 0]
    return right, [1 - w for w in right]


def _count(state: Arrays) -> int | None:
    """The answer's ``num_batches_tracked`` as a number, or None when it is not one integer."""
    value = np.asarray(state["num_batches_tracked"])
    if value.size != 1 or not np.isfinite(value).all() or value.flat[0] != np.round(value.flat[0]):
        return None
    return int(value.flat[0])


def _update_weight(step: Forward) -> float | None:
    """The weight with which the running mean moved toward torch's batch mean, if all channels agree."""
    batch_mean = moments(step.x, channel_dims(4))[0].flatten().numpy()
    before, after = (np.asarray(s["running_mean"], dtype=np.float64) for s in (step.before, step.after))
    gap = batch_mean - before
    if np.min(np.abs(gap)) < 1e-3 or not np.isfinite(after).all():
        return None
    weights = (after - before) / gap
    if np.ptp(weights) > _weight_tolerance(step):
        return None
    return float(np.mean(weights))


def _stored_variance(step: Forward, weight: float) -> list[str]:
    """biased-running-var when the running variance took torch's biased batch variance with ``weight``."""
    if abs(weight) < 0.05:
        return []
    before, after = (np.asarray(s["running_var"], dtype=np.float64) for s in (step.before, step.after))
    stored = (after - (1 - weight) * before) / weight
    biased = moments(step.x, channel_dims(4))[1].flatten().numpy()
    n = step.x.numel() // step.x.shape[1]
    if _close(stored, biased * n / (n - 1)):
        return []
    return ["biased-running-var"] if _close(stored, biased) else []


def _counted(step: Forward) -> bool:
    """Whether the answer's count changed in this step."""
    if not all("num_batches_tracked" in state for state in (step.before, step.after)):
        return False
    return _count(step.before) != _count(step.after)


def _moved(step: Forward) -> bool:
    """Whether the running statistics changed in this step (in the answer's own state)."""
    return any(
        name in step.before and name in step.after and not _close(step.after[name], step.before[name])
        for name in ("running_mean", "running_var")
    )


def _weight_tolerance(step: Forward) -> float:
    return 1e-6 if step.after["running_mean"].dtype == np.float64 else 1e-3


def _close(got: np.ndarray, want: np.ndarray) -> bool:
    """Equal within the tolerance of ``got``'s dtype, atol in units of the largest magnitude."""
    got, want = np.asarray(got), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape or not np.isfinite(got).all():
        return False
    tolerance = tolerance_for(got.dtype if got.dtype.kind == "f" else np.dtype(np.float64))
    atol = tolerance.atol * max(1.0, float(np.max(np.abs(want), initial=0.0)))
    return bool(np.all(np.abs(got.astype(np.float64) - want) <= atol + tolerance.rtol * np.abs(want)))


def _t(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.array(array, dtype=np.float64)).flatten()
