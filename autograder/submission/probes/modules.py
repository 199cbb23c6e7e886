"""Driving ``nn.Module`` answers (submission side): programs of operations, modules loaded from a case.

A *program* is a list of operations on modules of one class (construct, describe the
names, load a state_dict, forwards in train and eval mode with and without backward or
grad, resets, turning ``track_running_stats`` off, inputs that may raise). Each
operation's outputs are keyed ``"step N (what): name"``, with the input's shape in
``what``, so a mismatch tells the student where it happened. The grader runs the same
programs on torch's modules for its references. Strings (extra_repr, key lists,
exceptions as "ValueError: message") travel as UTF-8 ``uint8`` arrays; see ``text_out``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from autograder.capstone_model import DigitsCNN, evaluate, train
from autograder.submission.probes.marshal import AnswerError, array_out, tensor_in, unchanged
from autograder.types import Arrays

Op = dict[str, Any]

TEXT_OUTPUTS: tuple[str, ...] = ("extra_repr", "parameters", "buffers", "state_dict keys", "raised")
TEXT_OUTPUTS += ("stored as", "replaced by", "sharing memory with the given bn")  # probes/frozen.py's
NOTHING_RAISED = ""  # the "raised" output of a step that raised nothing
DTYPES = {"float32": torch.float32, "float64": torch.float64}


def text_out(text: str) -> np.ndarray:
    """A string as a plain array (UTF-8 bytes)."""
    return np.frombuffer(text.encode(), dtype=np.uint8).copy()


def text_in(array: np.ndarray) -> str:
    """The string ``text_out`` encoded."""
    return np.asarray(array, dtype=np.uint8).tobytes().decode(errors="replace")


def step_name(index: int, op: Op, inputs: Arrays) -> str:
    """How a step reads in feedback: "step 4 (train forward of x2 (2, 3, 4, 4), backward)"."""
    kind = op["op"]
    if kind == "forward":
        what = f"{op['mode']} forward of {op['x']} {tuple(inputs[op['x']].shape)}"
        if op.get("dy"):
            what += ", backward"
        if op.get("no_grad"):
            what += ", under torch.no_grad()"
        if op.get("on"):
            what += f", on {op['on']}"
    elif kind == "new":
        what = constructor(op["kwargs"])
    elif kind == "load":
        what = "load_state_dict of torch's state_dict"
    elif kind == "untrack":
        what = "track_running_stats = False"
    elif kind == "describe":
        what = "extra_repr, parameter and buffer names, state_dict keys"
    else:
        what = f"{kind}()"
    return f"step {index} ({what})"


def constructor(kwargs: dict[str, Any]) -> str:
    """How a construction reads: "BatchNorm2d(num_features=3, eps=0.0)"."""
    return "BatchNorm2d(" + ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")"


def module_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Constructor keyword arguments from a case's JSON: the dtype's name becomes the torch dtype."""
    return {key: DTYPES[value] if key == "dtype" else value for key, value in kwargs.items()}


def _state(module: nn.Module, prefix: str) -> Arrays:
    return {f"{prefix}: {key}": array_out(value, name=key) for key, value in module.state_dict().items()}


def _names(module: nn.Module, prefix: str) -> Arrays:
    parameters = sorted(name for name, _ in module.named_parameters())
    buffers = sorted(name for name, _ in module.named_buffers())
    return {
        f"{prefix}: extra_repr": text_out(module.extra_repr()),
        f"{prefix}: parameters": text_out(json.dumps(parameters)),
        f"{prefix}: buffers": text_out(json.dumps(buffers)),
        f"{prefix}: state_dict keys": text_out(json.dumps(sorted(module.state_dict()))),
    }


def _builtin_class(error: BaseException) -> str:
    """The first built-in class of an exception's type: a subclass of ValueError counts as ValueError."""
    return next(c.__name__ for c in type(error).__mro__ if c.__module__ == "builtins")


def _raised(call: Callable[..., object], *args: object, **kwargs: object) -> np.ndarray:
    """What ``call(*args, **kwargs)`` raises, as "ValueError: its message" (by built-in class), or NOTHING_RAISED."""
    try:
        call(*args, **kwargs)
    except Exception as error:  # the exception's class and message are the output being graded
        return text_out(f"{_builtin_class(error)}: {error}")
    return text_out(NOTHING_RAISED)


def _call_method(module: nn.Module, name: str) -> None:
    """``module.name()``: a missing method raises AttributeError here, where it is recorded."""
    getattr(module, name)()


def _forward(module: nn.Module, op: Op, inputs: Arrays, prefix: str) -> Arrays:
    """Outputs of one forward (and backward): y, dx, the parameters' gradients; or what it raised."""
    module.train(op["mode"] == "train")
    x = tensor_in(inputs[op["x"]], layout=op.get("layout", "contiguous"), requires_grad=bool(op.get("dy")))
    if op.get("catch"):
        results: list[torch.Tensor] = []
        out = {f"{prefix}: raised": _raised(lambda: results.append(module(x)))}
        if results:
            out[f"{prefix}: y"] = array_out(results[0], name="y", like=x, shape=tuple(x.shape))
        return out
    module.zero_grad(set_to_none=True)
    with torch.set_grad_enabled(not op.get("no_grad")):
        y = module(x)
    out = {f"{prefix}: y": array_out(y, name="y", like=x, shape=tuple(x.shape))}
    if op.get("dy"):
        if not isinstance(y, torch.Tensor) or not y.requires_grad:
            raise AnswerError(f"{prefix}: the output does not require grad, so no gradient reaches x or the parameters")
        y.backward(tensor_in(inputs[op["dy"]]))
        if x.grad is not None:
            out[f"{prefix}: dx"] = array_out(x.grad, name="dx", like=x)
        for name, parameter in module.named_parameters():
            if parameter.grad is not None:
                out[f"{prefix}: d{name}"] = array_out(parameter.grad, name=f"d{name}")
    unchanged(inputs[op["x"]], x, name=op["x"])
    return out


def run_program(cls: Any, inputs: Arrays, ops: list[Op]) -> Arrays:
    """Run ``ops`` on modules of class ``cls``; every step's outputs, the module's state after each.

    Operations: ``new`` (construct), ``describe`` (extra_repr, parameter and buffer names,
    state_dict keys), ``load`` (torch's state_dict, not strict: a missing key shows in
    the state, an extra buffer only in ``describe``), ``forward`` (``catch``: what it
    raises), ``untrack``, and the methods ``reset_running_stats`` and ``reset_parameters``,
    whose absence is recorded as what they raised, not raised: the rest of the program runs.
    """
    module: Any = None  # the answer's class, whatever it defines
    out: Arrays = {}
    for index, op in enumerate(ops, start=1):
        prefix = step_name(index, op, inputs)
        kind = op["op"]
        if kind == "new":
            module = cls(**module_kwargs(op["kwargs"]))
        elif module is None:
            raise ValueError("a program starts with 'new'")
        elif kind == "forward":
            out |= _forward(module, op, inputs, prefix)
        elif kind == "describe":
            out |= _names(module, prefix)
        elif kind == "load":
            state = {key: tensor_in(inputs[f"{op['state']}.{key}"]) for key in op["keys"]}
            out[f"{prefix}: raised"] = _raised(module.load_state_dict, state, strict=False)
        elif kind == "untrack":
            module.track_running_stats = False
        elif kind in ("reset_running_stats", "reset_parameters"):
            out[f"{prefix}: raised"] = _raised(_call_method, module, kind)
        else:
            raise ValueError(f"unknown operation {kind!r}")
        out |= _state(module, prefix)
    return out


def loaded_batchnorm(kwargs: dict[str, Any], inputs: Arrays, prefix: str) -> nn.BatchNorm2d:
    """A torch ``BatchNorm2d`` (never called here) holding the state_dict in ``inputs[prefix + key]``."""
    bn = nn.BatchNorm2d(**module_kwargs(kwargs))
    bn.load_state_dict({key: tensor_in(inputs[prefix + key]) for key in bn.state_dict()})
    return bn


def forward_backward(module: nn.Module, op: Op, inputs: Arrays, prefix: str, *, keeps_shape: bool = True) -> Arrays:
    """y and dx of one forward in ``op["mode"]``, backward with ``op["dy"]``."""
    module.train(op["mode"] == "train")
    x = tensor_in(inputs[op["x"]], requires_grad=True)
    y = module(x)
    out = {f"{prefix}: y": array_out(y, name="y", like=x, shape=tuple(x.shape) if keeps_shape else None)}
    if not isinstance(y, torch.Tensor) or not y.requires_grad:
        raise AnswerError(f"{prefix}: the output does not require grad, so no gradient reaches x")
    y.backward(tensor_in(inputs[op["dy"]]))
    out[f"{prefix}: dx"] = array_out(x.grad, name="dx", like=x)
    unchanged(inputs[op["x"]], x, name=op["x"])
    return out


def loaded_conv(kwargs: dict[str, Any], inputs: Arrays, prefix: str) -> nn.Conv2d:
    """A ``Conv2d`` built from ``kwargs`` holding the state_dict in ``inputs[prefix + key]``."""
    conv = nn.Conv2d(**module_kwargs(kwargs))
    conv.load_state_dict({key: tensor_in(inputs[prefix + key]) for key in conv.state_dict()})
    return conv


def small_model(bns: list[dict[str, Any]], channels: list[int]) -> nn.Sequential:
    """conv -> BN -> ReLU -> (conv -> BN) -> ReLU -> conv -> BN, the BNs built from ``bns``'s kwargs."""
    c0, c1, c2 = channels
    norms = [nn.BatchNorm2d(**module_kwargs(kwargs)) for kwargs in bns]
    return nn.Sequential(
        nn.Conv2d(c0, c1, 3, padding=1),
        norms[0],
        nn.ReLU(),
        nn.Sequential(nn.Conv2d(c1, c2, 1), norms[1]),
        nn.ReLU(),
        nn.Conv2d(c2, c2, 1, bias=False),
        norms[2],
    )


def train_capstone(answer: Any, inputs: Arrays, params: dict[str, Any]) -> Arrays:
    """Train the capstone CNN with the BatchNorm2d class ``answer``: losses, BN state, eval logits."""
    dtype = DTYPES[params["dtype"]]
    model = DigitsCNN(answer, seed=params["seed"], dtype=dtype)
    losses = train(model, steps=params["steps"], batch_size=params["batch_size"], seed=params["seed"])
    logits, _ = evaluate(model)
    out = {"training losses": np.array(losses, dtype=np.dtype(params["dtype"]))}
    for layer in ("bn1", "bn2"):
        out |= {
            f"{layer}.{key}": array_out(value, name=f"{layer}.{key}")
            for key, value in getattr(model, layer).state_dict().items()
        }
    return out | {"eval logits": array_out(logits, name="eval logits")}
