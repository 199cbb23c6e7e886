"""Chapter 02 probes: drive ``bn_forward``, ``bn_backward`` and ``BatchNormFunction`` on one case.

``bn_backward`` takes the cache of the student's own ``bn_forward``, whose format is
theirs: its probe finds ``bn_forward`` in the namespace ``bn_backward`` was defined in
(the function's ``__globals__``: the notebook's namespace, in the worker and in Jupyter).
Beside the graded outputs, the probes of ``bn_backward`` and ``BatchNormFunction`` send
what the student's own ``bn_forward`` (and ``bn_backward``) give on the case: the grader
uses them to charge a mistake to the answer that makes it, never to pass a wrong output.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch.autograd.gradcheck import GradcheckError
from torch.utils._python_dispatch import _disable_current_modes

from autograder.submission.probes.marshal import (
    BACKWARD,
    FORWARD_Y,
    GRADS,
    MUL_BY_GRAD_OUTPUT,
    AnswerError,
    Arrays,
    affine_inputs,
    all_unchanged,
    array_out,
    namespace_of,
    observed,
    parts,
    tensor_in,
)
from autograder.submission.probes.modules import text_out


def forward_of(answer: Any) -> Callable[..., Any]:
    """The ``bn_forward`` defined next to ``answer`` (in its module's or notebook's namespace)."""
    forward = namespace_of(answer).get("bn_forward")
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
    """The gradients from the cache of the student's bn_forward, and that forward's y."""
    x, gamma, beta = affine_inputs(inputs, params)
    dy = tensor_in(inputs["dy"], layout=params.get("layout", "contiguous"))
    try:
        y, cache = parts(forward_of(answer)(x, gamma, beta, params["eps"]), ("y", "cache"), "bn_forward")
    except NotImplementedError:
        _unless_blank(answer, dy)
        raise AnswerError(
            "bn_backward is graded with the cache of your bn_forward, which is not implemented yet "
            "(it raises NotImplementedError): implement bn_forward first"
        ) from None
    dx, dgamma, dbeta = parts(answer(dy, cache), GRADS, "bn_backward")
    all_unchanged(inputs, {"x": x, "gamma": gamma, "beta": beta, "dy": dy})
    return {
        "dx": array_out(dx, name="dx", like=x),
        "dgamma": array_out(dgamma, name="dgamma", like=gamma),
        "dbeta": array_out(dbeta, name="dbeta", like=beta),
    } | observed(FORWARD_Y, y, x)


def _unless_blank(answer: Any, dy: torch.Tensor) -> None:
    """Raise NotImplementedError when bn_backward is blank too (it raises it whatever its cache)."""
    try:
        answer(dy, None)
    except NotImplementedError:
        raise
    except Exception:
        return  # it does something with the cache: bn_forward is the one not implemented


def your_parts(answer: Any, inputs: Arrays, params: dict[str, Any], dy: torch.Tensor) -> Arrays:
    """What the student's own bn_forward and bn_backward give on the case, as far as they run.

    Observations only, so the grader can say whose mistake a wrong output is: they run
    with the operator watch paused (calling them is the probe's doing, not the
    answer's), and whatever they raise leaves the rest unobserved.
    """
    namespace = namespace_of(answer)
    forward, backward = namespace.get("bn_forward"), namespace.get("bn_backward")
    out: Arrays = {}
    if not callable(forward):
        return out
    x, gamma, beta = affine_inputs(inputs, params)
    try:
        with _disable_current_modes():
            y, cache = parts(forward(x, gamma, beta, params["eps"]), ("y", "cache"), "bn_forward")
            out |= observed(FORWARD_Y, y, x)
            if callable(backward):
                grads = parts(backward(dy.detach().clone(), cache), GRADS, "bn_backward")
                for name, grad, given in zip(GRADS, grads, (x, gamma, beta)):
                    out |= observed(BACKWARD + name, grad, given)
    except Exception:
        pass  # unobserved: the answer is then graded on its own outputs alone
    return out


def batch_norm_function(answer: Any, inputs: Arrays, params: dict[str, Any]) -> Arrays:
    """The Function's y and gradients (or gradcheck's sub-tests), and what the student's parts give."""
    if not (isinstance(answer, type) and issubclass(answer, torch.autograd.Function)):
        raise AnswerError("BatchNormFunction must be a subclass of torch.autograd.Function")
    eps = params["eps"]
    x, gamma, beta = affine_inputs(inputs, params, requires_grad=True)
    dy = tensor_in(inputs["dy"], layout=params.get("layout", "contiguous"))
    if params.get("gradcheck"):
        return gradcheck_outputs(lambda *t: answer.apply(*t, eps), (x, gamma, beta)) | your_parts(
            answer, inputs, params, dy
        )
    y = answer.apply(x, gamma, beta, eps)
    out = {"y": array_out(y, name="y", like=x)}
    if not y.requires_grad:
        raise AnswerError("BatchNormFunction.apply returned a tensor that does not require grad")
    y.backward(dy)
    all_unchanged(inputs, {"x": x, "gamma": gamma, "beta": beta})
    for name, given in (("dx", x), ("dgamma", gamma), ("dbeta", beta)):
        if given.grad is None:
            raise AnswerError(f"backward gave no gradient for {name[1:]}")
        out[name] = array_out(given.grad, name=name, like=given)
    return out | your_parts(answer, inputs, params, dy)


def gradcheck_outputs(function: Callable[..., torch.Tensor], inputs: tuple[torch.Tensor, ...]) -> Arrays:
    """torch.autograd.gradcheck's message ("" when it passed), and the gradients its exact-zero sub-tests see.

    gradcheck compares backward's Jacobian with finite differences of forward, then asks
    for the gradients when grad_output is 0 (and when it is undefined) and requires them
    to be exactly 0. A right backward may leave rounding noise there (a term that is 0
    in exact arithmetic), so the probe runs those two sub-tests itself and sends their
    gradients: the grader judges them with a tolerance.
    """
    try:
        torch.autograd.gradcheck(function, inputs, check_undefined_grad=False)
        message = ""
    except GradcheckError as error:
        message = str(error)
    out = {"gradcheck": text_out(message)}
    if message not in ("", MUL_BY_GRAD_OUTPUT):
        return out  # an earlier sub-test failed; the zero sub-tests come after it
    y = function(*inputs)
    zeros = torch.autograd.grad(y, inputs, torch.zeros_like(y), allow_unused=True)
    try:
        undefined = torch._C._functions.UndefinedGrad()(function(*inputs))
        unset = torch.autograd.grad(undefined, inputs, torch.zeros_like(y), allow_unused=True)
    except RuntimeError as error:
        return out | {"undefined grad_output": text_out(f"backward raised {type(error).__name__}: {error}")}
    for when, grads in (("grad_output = 0", zeros), ("undefined grad_output", unset)):
        for name, grad, given in zip(GRADS, grads, inputs):
            out[f"{when}: {name}"] = array_out(torch.zeros_like(given) if grad is None else grad, name=name)
    return out


PROBES = {
    "02.bn_forward": bn_forward,
    "02.bn_backward": bn_backward,
    "02.BatchNormFunction": batch_norm_function,
}
