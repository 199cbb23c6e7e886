"""Chapter 01 probes: drive ``channel_moments`` and ``standardize`` on one case.

How a probe module is laid out (copy this shape for ``chNN.py``): one function per
exercise with the probe signature ``(answer, inputs, params) -> dict[str, ndarray]``,
and ``PROBES = {"chNN.name": function}`` at the bottom. A probe rebuilds fresh
tensors with ``tensor_in`` (layout from ``params``), calls the answer exactly as the
contract's signature says, checks with ``unchanged`` that the inputs were not
modified, and converts each output with ``array_out(..., like=input)``, keyed like
the spec's reference. Shapes are left to the grader's comparison (it reports them,
and can diagnose a wrong shape). No references, tolerances or verdicts here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.submission.probes.marshal import array_out, parts, tensor_in, unchanged


def channel_moments(answer: Any, inputs: dict[str, np.ndarray], params: dict[str, Any]) -> dict[str, np.ndarray]:
    x = tensor_in(inputs["x"], layout=params.get("layout", "contiguous"))
    result = answer(x)
    unchanged(inputs["x"], x, name="x")
    mean, var = parts(result, ("mean", "var"), "channel_moments")
    return {"mean": array_out(mean, name="mean", like=x), "var": array_out(var, name="var", like=x)}


def standardize(answer: Any, inputs: dict[str, np.ndarray], params: dict[str, Any]) -> dict[str, np.ndarray]:
    x = tensor_in(inputs["x"], layout=params.get("layout", "contiguous"))
    eps = params.get("eps")
    y = answer(x) if eps is None else answer(x, eps=eps)
    unchanged(inputs["x"], x, name="x")
    return {"y": array_out(y, name="y", like=x)}


PROBES = {
    "01.channel_moments": channel_moments,
    "01.standardize": standardize,
}
