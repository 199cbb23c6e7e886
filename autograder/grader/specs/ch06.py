"""Chapter 06 specs: ``06.fold_bn`` and ``06.fuse_conv_bn``.

Both are graded against torch's eval-mode ``BatchNorm2d``: ``fold_bn``'s (scale, shift)
against the map torch applies (read off its outputs at 0 and 1, in float64), and the
fused convolution against ``bn.eval()(conv(x))`` and ``torch.nn.utils.fusion.fuse_conv_bn_eval``.
The running variances are comparable to eps in most cases, so eps mistakes show.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from autograder.grader.cases import bn_state, channel_data, present, rng, tensor
from autograder.grader.compare import changed_dtype, compare_outputs
from autograder.grader.specs.base import ExerciseSpec, Variant
from autograder.submission.probes.modules import loaded_batchnorm, loaded_conv, module_kwargs
from autograder.types import Arrays, Case, Mismatch

FLAWS = ("missing-eps", "eps-outside-sqrt", "ignores-affine")


def _bn_inputs(gen: np.random.Generator, kwargs: dict[str, Any], var_scale: float) -> Arrays:
    """A random state_dict for ``BatchNorm2d(**kwargs)``, keyed "bn.<key>"."""
    keys = list(nn.BatchNorm2d(**module_kwargs(kwargs)).state_dict())
    state = bn_state(gen, keys, kwargs["num_features"], kwargs.get("dtype", "float32"), var_scale, var_scale)
    return {f"bn.{key}": value for key, value in state.items()}


def folded(inputs: Arrays, eps: float, flaw: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(scale, shift) of the eval-mode map, in float64, optionally with one of ``FLAWS``."""
    mean, var = inputs["bn.running_mean"].astype(np.float64), inputs["bn.running_var"].astype(np.float64)
    weight = inputs.get("bn.weight", np.ones_like(mean)).astype(np.float64)
    bias = inputs.get("bn.bias", np.zeros_like(mean)).astype(np.float64)
    if flaw == "ignores-affine":
        weight, bias = np.ones_like(mean), np.zeros_like(mean)
    std = {"missing-eps": np.sqrt(var), "eps-outside-sqrt": np.sqrt(var) + eps}.get(flaw or "", np.sqrt(var + eps))
    scale = weight / std
    return scale, bias - mean * scale


def torch_eval_map(inputs: Arrays, params: dict[str, Any]) -> tuple[torch.Tensor, torch.Tensor]:
    """(scale, shift) read off torch's eval-mode BatchNorm2d at x = 0 and x = 1, in float64."""
    bn = loaded_batchnorm(params["bn"], inputs, "bn.").double().eval()
    with torch.no_grad():
        shift = bn(torch.zeros(1, bn.num_features, 1, 1, dtype=torch.float64)).flatten()
        scale = bn(torch.ones(1, bn.num_features, 1, 1, dtype=torch.float64)).flatten() - shift
    return scale, shift


def _eps(params: dict[str, Any]) -> float:
    return float(params["bn"].get("eps", 1e-5))


# bn kwargs, scale of the running variance (compared with eps), quick
_FOLD: list[tuple[dict[str, Any], float, bool]] = [
    ({"num_features": 3}, 1.0, True),
    ({"num_features": 2, "eps": 1e-3, "affine": False}, 0.03, True),
    ({"num_features": 4, "eps": 0.1, "bias": False, "dtype": "float64"}, 0.3, True),
    ({"num_features": 1, "momentum": None}, 3e-3, False),
    ({"num_features": 5, "dtype": "float64"}, 1.0, False),
]


class FoldBn(ExerciseSpec):
    id = "06.fold_bn"
    points = 1
    section = "sec-inference-affine"
    summary = "the per-channel scale and shift of an evaluation-mode BN layer"
    misconceptions = (*FLAWS, "dtype-changed")

    def make_cases(self) -> list[Case]:
        cases = []
        for i, (kwargs, var_scale, is_quick) in enumerate(_FOLD):
            inputs = _bn_inputs(rng(self.id, str(i)), kwargs, var_scale)
            label = f"BatchNorm2d({', '.join(f'{k}={v!r}' for k, v in kwargs.items())}), running_var ~ {var_scale**2:g}"
            cases.append(Case(label, inputs, {"bn": kwargs}, is_quick))
        return cases

    def reference(self, case: Case) -> Arrays:
        dtype = case.inputs["bn.running_mean"].dtype
        scale, shift = torch_eval_map(case.inputs, case.params)
        return {"scale": scale.numpy().astype(dtype), "shift": shift.numpy().astype(dtype)}

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        return compare_outputs(got, want)

    def variants(self, case: Case) -> list[Variant]:
        dtype = case.inputs["bn.running_mean"].dtype

        def wrong(flaw: str) -> Arrays:
            scale, shift = folded(case.inputs, _eps(case.params), flaw)
            return {"scale": scale.astype(dtype), "shift": shift.astype(dtype)}

        return [Variant((f,), partial(wrong, f)) for f in FLAWS]

    def diagnose(self, case: Case, got: Arrays) -> list[str]:
        found = ["dtype-changed"] if changed_dtype(got, self.reference(case)) else []
        return found + super().diagnose(case, got)


# conv kwargs, bn kwargs, input shape, scale of the running variance, quick
_FUSE: list[tuple[dict[str, Any], dict[str, Any], tuple[int, int, int, int], float, bool]] = [
    (
        {"in_channels": 3, "out_channels": 4, "kernel_size": 3, "padding": 1},
        {"num_features": 4},
        (2, 3, 6, 6),
        1.0,
        True,
    ),
    (
        {"in_channels": 4, "out_channels": 6, "kernel_size": 3, "stride": 2, "padding": 1, "bias": False, "groups": 2},
        {"num_features": 6, "eps": 1e-3},
        (1, 4, 7, 5),
        0.03,
        True,
    ),
    (
        {"in_channels": 2, "out_channels": 3, "kernel_size": 1, "dtype": "float64"},
        {"num_features": 3, "affine": False, "dtype": "float64"},
        (3, 2, 4, 4),
        0.5,
        True,  # quick: check() sees a float64 conv too (dtype-changed)
    ),
    (
        {
            "in_channels": 6,
            "out_channels": 6,
            "kernel_size": 3,
            "padding": 2,
            "dilation": 2,
            "groups": 6,
            "bias": False,
        },
        {"num_features": 6, "eps": 0.1, "bias": False},
        (2, 6, 5, 5),
        0.3,
        True,
    ),
    (
        {
            "in_channels": 3,
            "out_channels": 2,
            "kernel_size": (3, 1),
            "stride": (1, 2),
            "padding": (1, 0),
            "dtype": "float64",
        },
        {"num_features": 2, "momentum": None, "dtype": "float64"},
        (2, 3, 5, 6),
        3e-3,
        False,
    ),
]


class FuseConvBn(ExerciseSpec):
    id = "06.fuse_conv_bn"
    points = 2
    section = "sec-inference-folding"
    summary = "a convolution that computes a convolution followed by BN in one step"
    misconceptions = (*FLAWS, "dtype-changed")

    def make_cases(self) -> list[Case]:
        cases = []
        for i, (conv_kwargs, bn_kwargs, shape, var_scale, is_quick) in enumerate(_FUSE):
            gen = rng(self.id, str(i))
            dtype = conv_kwargs.get("dtype", "float32")
            conv = nn.Conv2d(**{k: v for k, v in conv_kwargs.items() if k != "dtype"})
            inputs = {
                f"conv.{key}": (
                    gen.standard_normal(tuple(value.shape)) / np.sqrt(value[0].numel() if value.dim() > 1 else 1)
                ).astype(dtype)
                for key, value in conv.state_dict().items()
            }
            inputs |= _bn_inputs(gen, bn_kwargs, var_scale)
            inputs["x"] = channel_data(gen, shape, dtype, center=0.5)
            conv_text = ", ".join(f"{k}={v!r}" for k, v in conv_kwargs.items())
            bn_text = ", ".join(f"{k}={v!r}" for k, v in bn_kwargs.items())
            label = f"Conv2d({conv_text}) then BatchNorm2d({bn_text}), x {shape}"
            cases.append(Case(label, inputs, {"conv": conv_kwargs, "bn": bn_kwargs}, is_quick))
        return cases

    def reference(self, case: Case) -> Arrays:
        conv = loaded_conv(case.params["conv"], case.inputs, "conv.").eval()
        bn = loaded_batchnorm(case.params["bn"], case.inputs, "bn.").eval()
        fused = fuse_conv_bn_eval(conv, bn)
        x = tensor(case.inputs["x"])
        with torch.no_grad():
            y = bn.double()(conv.double()(x.double())).to(x.dtype)
        layout = [*conv.stride, *conv.padding, *conv.dilation, conv.groups]
        return {
            "fused weight": present(fused.weight).detach().numpy().copy(),
            "fused bias": present(fused.bias).detach().numpy().copy(),
            "stride, padding, dilation, groups": np.array(layout, dtype=np.int64),
            "fused(x)": y.numpy().copy(),
        }

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        return compare_outputs(got, want)

    def variants(self, case: Case) -> list[Variant]:
        weight = case.inputs["conv.weight"]
        bias = case.inputs.get("conv.bias", np.zeros(weight.shape[0]))

        def wrong(flaw: str) -> Arrays:
            scale, shift = folded(case.inputs, _eps(case.params), flaw)
            return {
                "fused weight": (weight * scale[:, None, None, None]).astype(weight.dtype),
                "fused bias": (bias * scale + shift).astype(weight.dtype),
            }

        return [Variant((f,), partial(wrong, f)) for f in FLAWS]

    def diagnose(self, case: Case, got: Arrays) -> list[str]:
        found = ["dtype-changed"] if changed_dtype(got, self.reference(case)) else []
        return found + super().diagnose(case, got)


SPECS: list[ExerciseSpec] = [FoldBn(), FuseConvBn()]
