"""Chapter 06 specs against real torch: right folds and fusions pass, wrong ones fail and are named."""

from __future__ import annotations

import pytest
from inprocess import define, grade

from . import bn_impls

FOLD_VIA_RSQRT = """
def fold_bn(bn):
    c = bn.num_features
    w = bn.weight.detach() if bn.affine else torch.ones(c, dtype=bn.running_var.dtype)
    b = bn.bias.detach() if bn.bias is not None else torch.zeros(c, dtype=bn.running_var.dtype)
    scale = w * torch.rsqrt(bn.running_var + bn.eps)
    return scale, torch.addcmul(b, bn.running_mean, scale, value=-1)
"""

FUSE_BY_RESHAPE = """
import copy

def fuse_conv_bn(conv, bn):
    fused = copy.deepcopy(conv)
    std = (bn.running_var + bn.eps).sqrt()
    gamma = bn.weight.detach() if bn.weight is not None else torch.ones_like(std)
    beta = bn.bias.detach() if bn.bias is not None else torch.zeros_like(std)
    b = conv.bias.detach() if conv.bias is not None else torch.zeros_like(std)
    w = conv.weight.detach().reshape(conv.out_channels, -1) * (gamma / std)[:, None]
    fused.weight = nn.Parameter(w.reshape(conv.weight.shape))
    fused.bias = nn.Parameter((b - bn.running_mean) * gamma / std + beta)
    return fused
"""


@pytest.mark.parametrize("fold", [bn_impls.fold_bn, define(FOLD_VIA_RSQRT)["fold_bn"]])
def test_right_folds_pass(fold) -> None:
    result = grade("06.fold_bn", fold)
    assert result.status == "passed", result.feedback


@pytest.mark.parametrize("fuse", [bn_impls.fuse_conv_bn, define(FUSE_BY_RESHAPE)["fuse_conv_bn"]])
def test_right_fusions_pass(fuse) -> None:
    result = grade("06.fuse_conv_bn", fuse)
    assert result.status == "passed", result.feedback


def _fold(denominator: str, affine: bool = True):
    """A fold whose scale divides by ``denominator`` (in terms of var and eps)."""
    weight = "(bn.weight.detach() if bn.weight is not None else 1.0)" if affine else "1.0"
    bias = "(bn.bias.detach() if bn.bias is not None else 0.0)" if affine else "0.0"
    return define(f"""
def fold_bn(bn):
    var, eps = bn.running_var, bn.eps
    scale = {weight} / ({denominator}) * torch.ones_like(var)
    return scale, {bias} - bn.running_mean * scale
""")["fold_bn"]


WRONG_FOLDS = {
    "missing-eps": _fold("torch.sqrt(var)"),
    "eps-outside-sqrt": _fold("torch.sqrt(var) + eps"),
    "ignores-affine": _fold("torch.sqrt(var + eps)", affine=False),
}


@pytest.mark.parametrize("misconception", WRONG_FOLDS)
def test_fold_slips_are_named(misconception: str) -> None:
    result = grade("06.fold_bn", WRONG_FOLDS[misconception], quick=True)
    assert result.status == "failed"
    assert misconception in result.misconceptions, result.feedback


def test_fold_that_mutates_the_bn_is_named() -> None:
    def fold_in_place(bn):
        bn.running_var.add_(bn.eps)
        scale = (bn.weight.detach() if bn.weight is not None else 1.0) / bn.running_var.sqrt()
        return scale, (bn.bias.detach() if bn.bias is not None else 0.0) - bn.running_mean * scale

    result = grade("06.fold_bn", fold_in_place, quick=True)
    assert result.status == "failed"
    assert "input-mutated" in result.misconceptions


def _fuse_with(fold):
    def fuse(conv, bn):
        scale, shift = fold(bn)
        fused = bn_impls.fuse_conv_bn(conv, bn)
        bias = conv.bias.detach() if conv.bias is not None else 0.0
        with bn_impls.torch.no_grad():
            fused.weight.copy_(conv.weight * scale.view(-1, 1, 1, 1))
            fused.bias.copy_(bias * scale + shift)
        return fused

    return fuse


@pytest.mark.parametrize("misconception", ["missing-eps", "ignores-affine"])
def test_fuse_slips_are_named(misconception: str) -> None:
    result = grade("06.fuse_conv_bn", _fuse_with(WRONG_FOLDS[misconception]), quick=True)
    assert result.status == "failed"
    assert misconception in result.misconceptions, result.feedback


def test_fuse_that_drops_the_conv_bias_fails() -> None:
    def fuse(conv, bn):
        scale, shift = bn_impls.fold_bn(bn)
        fused = bn_impls.fuse_conv_bn(conv, bn)
        with bn_impls.torch.no_grad():
            fused.bias.copy_(shift)
        return fused

    result = grade("06.fuse_conv_bn", fuse, quick=True)
    assert result.status == "failed"
    assert "fused bias" in result.feedback


def test_fuse_that_forgets_the_stride_fails() -> None:
    def fuse(conv, bn):
        scale, shift = bn_impls.fold_bn(bn)
        fused = bn_impls.nn.Conv2d(
            conv.in_channels,
            conv.out_channels,
            conv.kernel_size,
            padding=conv.padding,
            dilation=conv.dilation,
            groups=conv.groups,
            dtype=conv.weight.dtype,
        )
        fused.weight = bn_impls.nn.Parameter(conv.weight.detach() * scale.view(-1, 1, 1, 1))
        fused.bias = bn_impls.nn.Parameter(shift + (conv.bias.detach() * scale if conv.bias is not None else 0))
        return fused

    result = grade("06.fuse_conv_bn", fuse, quick=True)
    assert result.status == "failed"
    assert "stride, padding, dilation, groups" in result.feedback


def test_fuse_that_scales_the_conv_in_place_is_named() -> None:
    def fuse(conv, bn):
        scale, shift = bn_impls.fold_bn(bn)
        with bn_impls.torch.no_grad():
            conv.weight.mul_(scale.view(-1, 1, 1, 1))
        fused = bn_impls.fuse_conv_bn(conv, bn)
        return fused

    result = grade("06.fuse_conv_bn", fuse, quick=True)
    assert result.status == "failed"
    assert "input-mutated" in result.misconceptions
