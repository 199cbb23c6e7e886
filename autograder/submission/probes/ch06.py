"""Chapter 06 probes: drive ``fold_bn`` and ``fuse_conv_bn`` on torch modules built from a case.

The given ``BatchNorm2d`` is only read (its forward is never called here); the fused
convolution is called on the case's input, which runs ``conv2d`` and nothing else.
Both probes check that the given modules are left exactly as they were.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from autograder.submission.probes.marshal import AnswerError, array_out, parts, tensor_in, unchanged
from autograder.submission.probes.modules import loaded_batchnorm, loaded_conv
from autograder.types import Arrays


def _untouched(module: nn.Module, inputs: Arrays, prefix: str, name: str) -> None:
    for key, value in module.state_dict().items():
        unchanged(inputs[prefix + key], value, name=f"{name}.{key}")


def fold_bn(answer: Any, inputs: Arrays, params: dict[str, Any]) -> Arrays:
    bn = loaded_batchnorm(params["bn"], inputs, "bn.")
    result = answer(bn)
    _untouched(bn, inputs, "bn.", "bn")
    scale, shift = parts(result, ("scale", "shift"), "fold_bn")
    channels = (bn.num_features,)
    return {
        "scale": array_out(scale, name="scale", like=bn.running_mean, shape=channels),
        "shift": array_out(shift, name="shift", like=bn.running_mean, shape=channels),
    }


def fuse_conv_bn(answer: Any, inputs: Arrays, params: dict[str, Any]) -> Arrays:
    conv = loaded_conv(params["conv"], inputs, "conv.")
    bn = loaded_batchnorm(params["bn"], inputs, "bn.")
    fused = answer(conv, bn)
    _untouched(conv, inputs, "conv.", "conv")
    _untouched(bn, inputs, "bn.", "bn")
    if not isinstance(fused, nn.Conv2d):
        raise AnswerError(f"fuse_conv_bn must return an nn.Conv2d, got {type(fused).__name__}")
    if fused.bias is None:
        raise AnswerError("the fused convolution has no bias: the BN shift has to go somewhere")
    x = tensor_in(inputs["x"])
    with torch.no_grad():
        y = fused(x)
    layout = [*fused.stride, *fused.padding, *fused.dilation, fused.groups]
    return {
        "fused weight": array_out(fused.weight, name="weight", like=conv.weight, shape=tuple(conv.weight.shape)),
        "fused bias": array_out(fused.bias, name="bias", like=conv.weight, shape=(conv.out_channels,)),
        "stride, padding, dilation, groups": np.array(layout, dtype=np.int64),
        "fused(x)": array_out(y, name="fused(x)", like=x),
    }


PROBES = {
    "06.fold_bn": fold_bn,
    "06.fuse_conv_bn": fuse_conv_bn,
}
