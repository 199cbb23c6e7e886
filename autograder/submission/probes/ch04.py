"""Chapter 04 probes: drive ``ema_update``, ``update_running_stats``, ``ema_debias`` and ``population_stats``.

``update_running_stats`` runs a sequence of batches: the buffers the answer returns
are fed to its next call, as a module's buffers would be.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.utils._python_dispatch import _disable_current_modes

from autograder.submission.probes.marshal import (
    EMA_SEEN,
    EMA_SEEN_MOMENTUM,
    all_unchanged,
    array_out,
    namespace_of,
    observed,
    parts,
    tensor_in,
    unchanged,
)
from autograder.types import Arrays

BUFFERS = ("running_mean", "running_var", "num_batches_tracked")


def ema_update(answer: Any, inputs: Arrays, params: dict[str, Any]) -> Arrays:
    running, value = tensor_in(inputs["running"]), tensor_in(inputs["value"])
    result = answer(running, value, params["momentum"])
    all_unchanged(inputs, {"running": running, "value": value})
    return {"running": array_out(result, name="the updated running value", like=running)}


def update_running_stats(answer: Any, inputs: Arrays, params: dict[str, Any]) -> Arrays:
    state = {name: inputs[name] for name in BUFFERS}
    history: dict[str, list[np.ndarray]] = {name: [] for name in BUFFERS}
    for k, batch in enumerate(inputs["batches"]):
        given = {name: tensor_in(state[name]) for name in BUFFERS}
        x = tensor_in(batch, layout=params.get("layout", "contiguous"))
        extra = (params["momentum"],) if params.get("pass_momentum", True) else ()
        result = parts(answer(*given.values(), x, *extra), BUFFERS, "update_running_stats")
        all_unchanged(state, given)
        unchanged(batch, x, name=f"x (batch {k})")
        # each result is the next call's input, so it must keep the buffer's shape
        state = {
            name: array_out(value, name=name, like=given[name], shape=given[name].shape)
            for name, value in zip(BUFFERS, result)
        }
        for name in BUFFERS:
            history[name].append(state[name])
    return {name: np.stack(values) for name, values in history.items()} | your_ema_update(answer)


def your_ema_update(answer: Any) -> Arrays:
    """The student's own ema_update on a fixed step (an observation, with the operator watch paused), so the
    grader can charge a momentum convention to the answer that has it; nothing when it does not run."""
    ema = namespace_of(answer).get("ema_update")
    if not callable(ema):
        return {}
    running, value = torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)
    try:
        with _disable_current_modes():
            return observed(EMA_SEEN, ema(running.clone(), value.clone(), EMA_SEEN_MOMENTUM), running)
    except Exception:
        return {}


def ema_debias(answer: Any, inputs: Arrays, params: dict[str, Any]) -> Arrays:
    """``answer(running, init, num_updates, momentum)``: num_updates a 0-dim int64 tensor, init a tensor or a number."""
    running = tensor_in(inputs["running"], layout=params.get("layout", "contiguous"))
    given = {"running": running, "num_updates": tensor_in(inputs["num_updates"])}
    if "init" in inputs:
        given["init"] = tensor_in(inputs["init"])
    init = given.get("init", params.get("init"))
    result = answer(running, init, given["num_updates"], params["momentum"])
    all_unchanged(inputs, given)
    return {"corrected": array_out(result, name="the corrected average", like=running, shape=tuple(running.shape))}


def population_stats(answer: Any, inputs: Arrays, params: dict[str, Any]) -> Arrays:
    batches = [tensor_in(b, layout=params.get("layout", "contiguous")) for b in inputs["batches"]]
    mean, var = parts(answer(list(batches)), ("mean", "var"), "population_stats")
    for k, (array, given) in enumerate(zip(inputs["batches"], batches)):
        unchanged(array, given, name=f"batches[{k}]")
    return {"mean": array_out(mean, name="mean", like=batches[0]), "var": array_out(var, name="var", like=batches[0])}


PROBES = {
    "04.ema_update": ema_update,
    "04.update_running_stats": update_running_stats,
    "04.ema_debias": ema_debias,
    "04.population_stats": population_stats,
}
