"""Chapter 07 probes: run ``sync_moments`` / ``sync_batch_norm`` on every rank of a gloo group (see ``distributed``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from autograder.submission.probes.distributed import run_world
from autograder.submission.probes.marshal import AnswerError, array_out, parts, tensor_in, unchanged
from autograder.types import Arrays


def _moments_on_rank(answer: Any, inputs: Arrays, spec: dict[str, Any], prefix: str, group: Any) -> Arrays:
    x = tensor_in(inputs[f"{prefix}: x"])
    result = answer(x) if group is None else answer(x, group=group)
    unchanged(inputs[f"{prefix}: x"], x, name="x")
    mean, var, count = parts(result, ("mean", "var", "count"), "sync_moments")
    channels = (x.shape[1],)
    if isinstance(count, torch.Tensor):
        count = count.item() if count.numel() == 1 else None
    if not isinstance(count, (int, float)):
        raise AnswerError(f"count must be a number (or a one-element tensor), got {type(count).__name__}")
    return {
        f"{prefix}: mean": array_out(mean, name="mean", like=x, shape=channels),
        f"{prefix}: var": array_out(var, name="var", like=x, shape=channels),
        f"{prefix}: count": np.array(float(count)),
    }


def _batch_norm_on_rank(answer: Any, inputs: Arrays, spec: dict[str, Any], prefix: str, group: Any) -> Arrays:
    x = tensor_in(inputs[f"{prefix}: x"])
    gamma, beta = tensor_in(inputs[f"{prefix}: gamma"]), tensor_in(inputs[f"{prefix}: beta"])
    kwargs = {"eps": spec["eps"]} if "eps" in spec else {}
    if group is not None:
        kwargs["group"] = group
    y = answer(x, gamma, beta, **kwargs)
    for name, tensor in (("x", x), ("gamma", gamma), ("beta", beta)):
        unchanged(inputs[f"{prefix}: {name}"], tensor, name=name)
    return {f"{prefix}: y": array_out(y, name="y", like=x, shape=tuple(x.shape))}


def sync_moments(answer: Any, inputs: Arrays, params: dict[str, Any]) -> Arrays:
    return run_world(answer, inputs, params, _moments_on_rank)


def sync_batch_norm(answer: Any, inputs: Arrays, params: dict[str, Any]) -> Arrays:
    return run_world(answer, inputs, params, _batch_norm_on_rank)


PROBES = {
    "07.sync_moments": sync_moments,
    "07.sync_batch_norm": sync_batch_norm,
}
