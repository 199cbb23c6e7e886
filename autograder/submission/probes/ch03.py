"""Chapter 03 probes: drive ``reduction_dims``, ``batch_norm_nd`` and ``group_norm`` on one case."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.submission.probes.marshal import AnswerError, Arrays, affine_inputs, all_unchanged, array_out


def reduction_dims(answer: Any, inputs: Arrays, params: dict[str, Any]) -> Arrays:
    dims = answer(params["ndim"])
    if not isinstance(dims, (tuple, list)) or not all(type(d) is int for d in dims):
        raise AnswerError(f"reduction_dims must return a tuple of ints, got {dims!r:.80}")
    return {"dims": np.array(dims, dtype=np.int64)}


def batch_norm_nd(answer: Any, inputs: Arrays, params: dict[str, Any]) -> Arrays:
    x, gamma, beta = affine_inputs(inputs, params)
    y = answer(x, gamma, beta, params["eps"])
    all_unchanged(inputs, {"x": x, "gamma": gamma, "beta": beta})
    return {"y": array_out(y, name="y", like=x)}


def group_norm(answer: Any, inputs: Arrays, params: dict[str, Any]) -> Arrays:
    x, gamma, beta = affine_inputs(inputs, params)
    y = answer(x, params["num_groups"], gamma, beta, params["eps"])
    all_unchanged(inputs, {"x": x, "gamma": gamma, "beta": beta})
    return {"y": array_out(y, name="y", like=x)}


PROBES = {
    "03.reduction_dims": reduction_dims,
    "03.batch_norm_nd": batch_norm_nd,
    "03.group_norm": group_norm,
}
