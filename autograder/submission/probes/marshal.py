"""Turning a case's arrays into tensors for the answer, and its results back into arrays (submission side).

Probes run in the SUBMISSION's process (or in-process for check()).

A probe drives the student's function or class on one case and returns its outputs
as plain numpy arrays. It never sees references, tolerances or verdicts. Signature::

    def probe(answer, inputs: dict[str, np.ndarray], params: dict) -> dict[str, np.ndarray]

``answer`` is the object the student defined (function or class). Exceptions the
student's code raises propagate (the runner reports them as ``error``); an unusable
result raises ``AnswerError`` (reported as ``failed`` with its message).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from autograder.types import Arrays

# Keys of what a probe observes of the student's OTHER answers beside the graded outputs
# (chapter 02: the student's own bn_forward and bn_backward on the same case), so the
# grader can charge a mistake to the answer that makes it.
FORWARD_Y = "your bn_forward: y"
BACKWARD = "your bn_backward: "  # + "dx", "dgamma", "dbeta"
GRADS = ("dx", "dgamma", "dbeta")
MUL_BY_GRAD_OUTPUT = "backward not multiplied by grad_output"  # torch's message for that gradcheck sub-test
# chapter 04: the student's own ema_update(zeros, ones, EMA_SEEN_MOMENTUM) in float64, shape (2,)
EMA_SEEN = "your ema_update: step"
EMA_SEEN_MOMENTUM = 0.25


class AnswerError(Exception):
    """The answer returned something that cannot be graded, or broke a rule it must keep."""

    def __init__(self, message: str, misconceptions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.misconceptions = misconceptions


def namespace_of(answer: Any) -> dict[str, Any]:
    """The namespace ``answer`` was defined in (the notebook's): a function's, or its ``forward``'s for a class."""
    function = getattr(answer, "forward", None) if isinstance(answer, type) else answer
    namespace = getattr(function, "__globals__", None)
    return namespace if isinstance(namespace, dict) else {}


def observed(name: str, value: Any, like: torch.Tensor) -> Arrays:
    """``{name: array}`` when ``value`` is a tensor shaped and typed like ``like``; else nothing."""
    try:
        return {name: array_out(value, name=name, like=like, shape=tuple(like.shape))}
    except AnswerError:
        return {}


def parts(result: object, names: tuple[str, ...], function: str) -> tuple[Any, ...]:
    """The items of a returned tuple, or AnswerError when it is not one of the right length."""
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        raise AnswerError(f"{function} must return a tuple ({', '.join(names)}), got {type(result).__name__}")
    return tuple(result)


def tensor_in(array: np.ndarray, *, layout: str = "contiguous", requires_grad: bool = False) -> torch.Tensor:
    """A fresh torch tensor holding ``array``; layout is contiguous, channels_last or noncontiguous."""
    t = torch.from_numpy(np.array(array, copy=True))
    if layout == "channels_last" and t.dim() == 4:
        t = t.contiguous(memory_format=torch.channels_last)
    elif layout == "noncontiguous" and t.dim() >= 1:
        wide = torch.zeros(*t.shape[:-1], 2 * t.shape[-1], dtype=t.dtype)
        wide[..., ::2] = t
        t = wide[..., ::2]  # same values, every other element of a larger buffer
    return t.requires_grad_(requires_grad)


def array_out(
    value: object, *, name: str, like: torch.Tensor | None = None, shape: tuple[int, ...] | None = None
) -> np.ndarray:
    """The plain array of a returned tensor, after strict checks of its type, dtype, device and shape.

    Only an exact ``torch.Tensor`` is accepted: subclasses and look-alikes could fake
    comparisons. ``like`` is the input whose dtype and device the output must keep.
    """
    if type(value) is not torch.Tensor and type(value) is not torch.nn.Parameter:
        raise AnswerError(f"{name} must be a torch.Tensor, got {type(value).__module__}.{type(value).__qualname__}")
    tensor = torch.Tensor.detach(value)
    if like is not None and (tensor.dtype != like.dtype or tensor.device != like.device):
        raise AnswerError(
            f"{name} has dtype {tensor.dtype} on {tensor.device}, expected {like.dtype} on {like.device}",
            misconceptions=("dtype-changed",),
        )
    if shape is not None and tuple(tensor.shape) != tuple(shape):
        raise AnswerError(f"{name} has shape {tuple(tensor.shape)}, expected {tuple(shape)}")
    return np.array(torch.Tensor.numpy(torch.Tensor.cpu(tensor)), copy=True)


def unchanged(before: np.ndarray, after: torch.Tensor, *, name: str) -> None:
    """Raise ``input-mutated`` when an input tensor no longer holds what it was given."""
    now = np.array(torch.Tensor.numpy(torch.Tensor.detach(after)), copy=True)
    if now.shape != before.shape or not np.array_equal(now, before, equal_nan=True):
        raise AnswerError(f"the input {name} was modified in place", misconceptions=("input-mutated",))


def affine_inputs(inputs: Arrays, params: dict[str, Any], *, requires_grad: bool = False) -> tuple[torch.Tensor, ...]:
    """Fresh x (in the case's layout), gamma and beta."""
    x = tensor_in(inputs["x"], layout=params.get("layout", "contiguous"), requires_grad=requires_grad)
    return (
        x,
        tensor_in(inputs["gamma"], requires_grad=requires_grad),
        tensor_in(inputs["beta"], requires_grad=requires_grad),
    )


def all_unchanged(inputs: Arrays, given: dict[str, torch.Tensor]) -> None:
    """input-mutated unless every given tensor still holds its case array."""
    for name, value in given.items():
        unchanged(inputs[name], value, name=name)
