"""Chapter 02 probes: drive ``bn_forward``, ``bn_backward`` and ``BatchNormFunction`` on one case.

``bn_backward`` takes the cache of the student's own ``bn_forward``, whose format is
theirs: its probe finds ``bn_forward`` in the namespace ``bn_backward`` was defined in
(the function's ``__globals__``: the notebook's namespace, in the worker and in Jupyter).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from autograder.submission.probes.marshal import (
    AnswerError,
    Arrays,
    affine_inputs,
    all_unchanged,
    array_out,
    parts,
    tensor_in,
)


def forward_of(answer: Any) -> Callable[..., Any]:
    """The ``bn_forward`` defined next to ``answer`` (in its module's or notebook's namespace)."""
    namespace = getattr(answer, "__globals__", None)
    forward = namespace.get("bn_forward") if isinstance(namespace, dict) else None
    if not callable(forward):
        raise AnswerError(
            "bn_backward is graded with the cache of your bn_forward: define bn_forward in the same notebook"
        )
    return forward


def bn_forward(answer: Any, inputs: Arrays, params: dict[str, Any]) -> Arrays:
    x, gamma, beta = affine_inputs(inputs, params)
    y, _ = parts(answer(x, gamma, beta, params["eps"]), ("y", "cache"), "bn_forward")
    all_unchanged(inputs, {"x": x, "gamma": gamma, "beta": beta})
    return {"y": array_out(y, name="y", like=x)}


def bn_backward(answer: Any, inputs: Arrays, params: dict[str, Any]) -> Arrays:
    x, gamma, beta = affine_inputs(inputs, params)
    _, cache = parts(forward_of(answer)(x, gamma, beta, params["eps"]), ("y", "cache"), "bn_forward")
    dy = tensor_in(inputs["dy"], layout=params.get("layout", "contiguous"))
    dx, dgamma, dbeta = parts(answer(dy, cache), ("dx", "dgamma", "dbeta"), "bn_backward")
    all_unchanged(inputs, {"x": x, "gamma": gamma, "beta": beta, "dy": dy})
    return {
        "dx": array_out(dx, name="dx", like=x),
        "dgamma": array_out(dgamma, name="dgamma", like=gamma),
        "dbeta": array_out(dbeta, name="dbeta", like=beta),
    }


def batch_norm_function(answer: Any, inputs: Arrays, params: dict[str, Any]) -> Arrays:
    if not (isinstance(answer, type) and issubclass(answer, torch.autograd.Function)):
        raise AnswerError("BatchNormFunction must be a subclass of torch.autograd.Function")
    eps = params["eps"]
    x, gamma, beta = affine_inputs(inputs, params, requires_grad=True)
    if params.get("gradcheck"):
        ok = torch.autograd.gradcheck(lambda *t: answer.apply(*t, eps), (x, gamma, beta), raise_exception=False)
        return {"gradcheck": np.array(ok is True)}
    y = answer.apply(x, gamma, beta, eps)
    out = {"y": array_out(y, name="y", like=x)}
    if not y.requires_grad:
        raise AnswerError("BatchNormFunction.apply returned a tensor that does not require grad")
    y.backward(tensor_in(inputs["dy"], layout=params.get("layout", "contiguous")))
    all_unchanged(inputs, {"x": x, "gamma": gamma, "beta": beta})
    for name, given in (("dx", x), ("dgamma", gamma), ("dbeta", beta)):
        if given.grad is None:
            raise AnswerError(f"backward gave no gradient for {name[1:]}")
        out[name] = array_out(given.grad, name=name, like=given)
    return out


PROBES = {
    "02.bn_forward": bn_forward,
    "02.bn_backward": bn_backward,
    "02.BatchNormFunction": batch_norm_function,
}
