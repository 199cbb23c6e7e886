"""Driving ``FrozenBatchNorm2d`` and ``freeze_batchnorm`` answers (submission side); the grader runs the same.

``frozen_batchnorm2d`` reports what the frozen module is made of (its parameters, how
each of its four tensors is stored, whether they require grad or share memory with the
given ``bn``) before its forwards, and runs it once more after ``bn`` was changed in
place, as further training would change it.

``freeze_batchnorm`` is graded on its own part: the probe also builds the same model
with the student's own ``FrozenBatchNorm2d.from_batchnorm(bn)`` put in place of each
``BatchNorm2d`` (at the paths the case names) and runs it alongside, so the grader can
compare the answer with what it was asked to build, whatever that class computes. A
failure of that class is reported as coming from it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import CodeType, TracebackType
from typing import Any

import numpy as np
import torch
from torch import nn

from autograder.submission.probes.marshal import AnswerError, array_out, tensor_in
from autograder.submission.probes.modules import (
    forward_backward,
    loaded_batchnorm,
    module_kwargs,
    small_model,
    text_out,
)
from autograder.tracebacks import student_traceback
from autograder.types import Arrays

FROZEN_TENSORS = ("weight", "bias", "running_mean", "running_var")
FROZEN = "from_batchnorm(bn)"  # how the frozen module is named in the outputs' keys
BN_AFTER = "the given bn afterwards"
CHANGED = "after the given bn changed in place"
OWN = "your FrozenBatchNorm2d in place of each BatchNorm2d, "  # prefix of freeze_batchnorm's comparison outputs


# ---------------------------------------------------------------- 05.FrozenBatchNorm2d


def stored_as(module: nn.Module, name: str) -> str:
    """How ``module`` holds ``name``: "buffer", "nn.Parameter", "plain attribute", "None" or "missing"."""
    if name in module._parameters:
        return "nn.Parameter" if module._parameters[name] is not None else "None"
    if name in module._buffers:
        value = module._buffers[name]
        if value is None:
            return "None"
        return "buffer holding an nn.Parameter" if isinstance(value, nn.Parameter) else "buffer"
    value = vars(module).get(name)
    if isinstance(value, torch.Tensor):
        return "plain attribute"
    return "missing" if value is None else f"plain attribute ({type(value).__name__})"


def _tensors(module: nn.Module) -> Iterator[tuple[str, torch.Tensor]]:
    """Every tensor ``module`` holds: parameters, buffers, tensor attributes (also in lists, tuples, dicts)."""
    yield from module.named_parameters(remove_duplicate=False)
    yield from module.named_buffers(remove_duplicate=False)
    for prefix, sub in module.named_modules(remove_duplicate=False):
        for key, value in vars(sub).items():
            if key in ("_parameters", "_buffers", "_modules"):  # already seen above
                continue
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(value, torch.Tensor):
                yield name, value
            elif isinstance(value, (list, tuple, dict)):
                items = value.items() if isinstance(value, dict) else enumerate(value)
                yield from ((f"{name}[{i!r}]", v) for i, v in items if isinstance(v, torch.Tensor))


def _storage(tensor: torch.Tensor) -> int | None:
    try:
        return int(tensor.untyped_storage().data_ptr())
    except (RuntimeError, NotImplementedError):  # a tensor without storage
        return None


def shared_with(module: nn.Module, bn: nn.Module) -> list[str]:
    """The pairs "running_mean = bn.running_mean" for every tensor of ``module`` whose memory is one of ``bn``'s."""
    owners: dict[int, str] = {}
    for name, tensor in bn.state_dict(keep_vars=True).items():
        pointer = _storage(tensor)
        if pointer:
            owners.setdefault(pointer, f"bn.{name}")
    found = []
    for name, tensor in _tensors(module):
        owner = owners.get(_storage(tensor) or 0)
        if owner and f"{name} = {owner}" not in found:
            found.append(f"{name} = {owner}")
    return found


def frozen_structure(frozen: nn.Module, bn: nn.Module) -> Arrays:
    """What the frozen module is made of: parameters, how its four tensors are stored, grads, shared memory."""
    out = {f"{FROZEN}: parameters": text_out(json.dumps(sorted(name for name, _ in frozen.named_parameters())))}
    out[f"{FROZEN}: sharing memory with the given bn"] = text_out(json.dumps(shared_with(frozen, bn)))
    for name in FROZEN_TENSORS:
        out[f"{FROZEN}.{name}: stored as"] = text_out(stored_as(frozen, name))
    for name in FROZEN_TENSORS:
        value = vars(frozen).get(name, getattr(frozen, name, None))
        if isinstance(value, torch.Tensor):
            out[f"{FROZEN}.{name}: requires grad"] = np.array(bool(value.requires_grad))
    return out


def _change_in_place(bn: nn.Module) -> None:
    """Change every tensor of ``bn`` in place, as more training would."""
    with torch.no_grad():
        for name, tensor in bn.state_dict(keep_vars=True).items():
            if name == "num_batches_tracked":
                tensor.add_(1)
            elif name == "running_var":
                tensor.mul_(2.5)
            else:
                tensor.add_(0.75).mul_(-1.5)


def frozen_batchnorm2d(answer: Any, inputs: Arrays, params: dict[str, Any]) -> Arrays:
    """``answer.from_batchnorm(bn)``: its make-up, forwards in train and eval mode, the bn afterwards,
    its own tensors afterwards, and one more forward after ``bn`` changed in place."""
    bn = loaded_batchnorm(params["bn"], inputs, "bn.")
    frozen = answer.from_batchnorm(bn)
    if not isinstance(frozen, nn.Module):
        raise AnswerError(f"from_batchnorm must return a module, got {type(frozen).__name__}")
    out = frozen_structure(frozen, bn)
    forwards = params["forwards"]
    for index, op in enumerate(forwards, start=1):
        out |= forward_backward(frozen, op, inputs, f"forward {index} ({op['mode']} mode, {op['x']})")
    out |= {f"{BN_AFTER}: {key}": array_out(v, name=key) for key, v in bn.state_dict().items()}
    for name, parameter in bn.named_parameters():
        out[f"{BN_AFTER}: {name} has a gradient"] = np.array(parameter.grad is not None)
    for name in FROZEN_TENSORS:
        value = getattr(frozen, name, None)
        if type(value) in (torch.Tensor, nn.Parameter):
            out[f"{FROZEN} after the forwards: {name}"] = array_out(value, name=name)
    _change_in_place(bn)
    again = forwards[0] | {"mode": "train"}
    label = f"forward {len(forwards) + 1} (train mode, {again['x']}), {CHANGED}"
    return out | forward_backward(frozen, again, inputs, label)


# ---------------------------------------------------------------- 05.freeze_batchnorm


def frozen_class_of(answer: Any) -> type:
    """The ``FrozenBatchNorm2d`` defined next to ``answer`` (its notebook's namespace)."""
    namespace = getattr(answer, "__globals__", None)
    found = namespace.get("FrozenBatchNorm2d") if isinstance(namespace, dict) else None
    if not isinstance(found, type):
        raise AnswerError(
            "freeze_batchnorm is graded with your FrozenBatchNorm2d (it puts FrozenBatchNorm2d.from_batchnorm(bn) "
            "in place of each BatchNorm2d): define FrozenBatchNorm2d in the same notebook"
        )
    return found


def _codes(cls: type) -> set[CodeType]:
    """The code objects of ``cls``'s own methods (and of functions nested in them)."""
    codes: set[CodeType] = set()
    pending = [
        getattr(getattr(v, "__func__", v), "__code__", None)
        for c in cls.__mro__
        if c.__module__ != "torch.nn.modules.module" and c is not object
        for v in vars(c).values()
    ]
    while pending:
        code = pending.pop()
        if isinstance(code, CodeType) and code not in codes:
            codes.add(code)
            pending += [c for c in code.co_consts if isinstance(c, CodeType)]
    return codes


def _raised_in(error: BaseException, cls: type) -> bool:
    """Whether ``error`` was raised inside a method of ``cls``."""
    codes = _codes(cls)
    tb: TracebackType | None = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code in codes:
            return True
        tb = tb.tb_next
    return False


def _model(inputs: Arrays, params: dict[str, Any]) -> nn.Module:
    """The case's model, a bare BatchNorm2d or the small CNN, holding the case's state."""
    if params.get("bare"):
        model: nn.Module = nn.BatchNorm2d(**module_kwargs(params["bns"][0]))
    else:
        model = small_model(params["bns"], params["channels"])
    model.load_state_dict({key: tensor_in(inputs["model." + key]) for key in model.state_dict()})
    return model


def _at(model: nn.Module, path: str) -> nn.Module | None:
    """The module at ``path`` ("" is the model itself), or None when there is none."""
    try:
        return model.get_submodule(path) if path else model
    except AttributeError:
        return None


def where(path: str) -> str:
    return f"model.{path}" if path else "the model itself"


def _with_own_layers(cls: Any, inputs: Arrays, params: dict[str, Any]) -> nn.Module:
    """The case's model with ``cls.from_batchnorm(bn)`` at each of the case's BatchNorm2d paths."""
    model = _model(inputs, params)
    for path in params["bn_paths"]:
        frozen = cls.from_batchnorm(_at(model, path))
        if not path:
            return frozen
        parent, _, name = path.rpartition(".")
        setattr(model.get_submodule(parent), name, frozen)
    return model


def _run(model: nn.Module, inputs: Arrays, params: dict[str, Any], prefix: str = "") -> Arrays:
    """Each frozen layer alone on a test input; then the model in train mode: forward, backward,
    one plain SGD step, forward and backward again."""
    if not isinstance(model, nn.Module):
        raise AnswerError(f"freeze_batchnorm must return the model, got {type(model).__name__}")
    model.train()
    out: Arrays = {}
    for path in params["bn_paths"]:
        layer = _at(model, path)
        if layer is not None:
            y = layer(tensor_in(inputs[f"z.{path}"]))
            out[f"{prefix}{where(path)} alone, on a test input: y"] = array_out(y, name="y")
    first, second = params["forwards"]
    out |= forward_backward(model, first, inputs, f"{prefix}model.train(), forward", keeps_shape=False)
    with torch.no_grad():  # one plain SGD step (torch.optim's first step imports torch._dynamo: slow)
        for p in model.parameters():
            if p.requires_grad and p.grad is not None:
                p.sub_(params["lr"] * p.grad)
    return out | forward_backward(model, second, inputs, f"{prefix}after one SGD step, forward", keeps_shape=False)


def _blame(error: BaseException) -> str:
    """The feedback when the student's FrozenBatchNorm2d fails where freeze_batchnorm needs it."""
    if isinstance(error, NotImplementedError):
        what = "it is not implemented yet (it raises NotImplementedError)"
    elif isinstance(error, AnswerError):
        what = str(error)
    else:
        what = f"it raised\n{student_traceback(error)}"
    return (
        f"the failure comes from your FrozenBatchNorm2d: {what}\n"
        "freeze_batchnorm is graded with it: the grader compares your model with the same model in which it "
        "put your FrozenBatchNorm2d.from_batchnorm(bn) in place of each BatchNorm2d. Fix FrozenBatchNorm2d first "
        "(see its own check)."
    )


def freeze_batchnorm(answer: Any, inputs: Arrays, params: dict[str, Any], frozen_class: Any = None) -> Arrays:
    """``answer(model)``: the torch BatchNorm layers left, what replaced each, and its runs; the same
    runs of the model with ``frozen_class`` (default: the student's ``FrozenBatchNorm2d``) put in place."""
    model = _model(inputs, params)
    failure: Exception | None = None
    try:
        frozen = answer(model)
    except Exception as error:  # whose fault it is is decided below
        failure = error
    try:
        cls = frozen_class or frozen_class_of(answer)
    except AnswerError:
        if failure is not None:
            raise failure from None
        raise
    try:
        own = _run(_with_own_layers(cls, inputs, params), inputs, params, OWN)
    except Exception as error:  # the student's FrozenBatchNorm2d fails on its own
        if failure is not None and not _raised_in(failure, cls):
            raise failure from None  # freeze_batchnorm's own failure comes first
        raise AnswerError(_blame(error)) from None
    if failure is not None:
        raise failure
    if not isinstance(frozen, nn.Module):
        raise AnswerError(f"freeze_batchnorm must return the model, got {type(frozen).__name__}")
    left = sum(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in frozen.modules())
    out = {"torch BatchNorm layers left in the model": np.array(left, dtype=np.int64)}
    for path in params["bn_paths"]:
        layer = _at(frozen, path)
        what = "nothing" if layer is None else "FrozenBatchNorm2d" if isinstance(layer, cls) else type(layer).__name__
        out[f"{where(path)}: replaced by"] = text_out(what)
    return out | _run(frozen, inputs, params) | own
