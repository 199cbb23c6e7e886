"""Probe helpers shared by the chapters 02 to 04 probes (submission side)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from autograder.probes.base import parts, tensor_in, unchanged  # noqa: F401 (parts is re-exported)

Arrays = dict[str, np.ndarray]


def affine_inputs(inputs: Arrays, params: dict[str, Any], *, requires_grad: bool = False) -> tuple[torch.Tensor, ...]:
    """Fresh x (in the case's layout), gamma and beta."""
    x = tensor_in(inputs["x"], layout=params.get("layout", "contiguous"), requires_grad=requires_grad)
    return x, tensor_in(inputs["gamma"], requires_grad=requires_grad), tensor_in(inputs["beta"], requires_grad=requires_grad)


def all_unchanged(inputs: Arrays, given: dict[str, torch.Tensor]) -> None:
    """input-mutated unless every given tensor still holds its case array."""
    for name, value in given.items():
        unchanged(inputs[name], value, name=name)
