"""Chapter 03 specs against real torch: right answers pass, wrong ones fail with the right diagnosis."""

from __future__ import annotations

import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from inprocess import define, grade
from torch import nn

from autograder.grader import variants

RIGHT_DIMS = {
    "tuple": "def reduction_dims(ndim):\n    return (0,) + tuple(range(2, ndim))",
    "negative, any order": "def reduction_dims(ndim):\n    return tuple(-d for d in range(1, ndim - 1)) + (0,)",
    "list": "def reduction_dims(ndim):\n    return [d for d in range(ndim) if d != 1]",
}
WRONG_DIMS = {
    "spatial only": "def reduction_dims(ndim):\n    return tuple(range(2, ndim))",
    "all but batch": "def reduction_dims(ndim):\n    return tuple(range(1, ndim))",
}

# Student's batch_norm_nd and group_norm, with one slot per common slip.
TEMPLATE = """
def batch_norm_nd(x, gamma, beta, eps=1e-5):
    d = {dims}
    shape = [1] * x.dim()
    shape[1] = -1
    mean = x.mean(dim=d, keepdim=True)
    var = {var}
    xhat = (x - mean) / {den}
    return {affine}

def group_norm(x, num_groups, gamma, beta, eps=1e-5):
    n, c = x.shape[:2]
    g = {groups}
    d = {group_dims}
    mean = g.mean(dim=d, keepdim=True)
    var = {var}
    xhat = ((g - mean) / {den}).reshape(x.shape)
    shape = [1, c] + [1] * (x.dim() - 2)
    return {affine}
"""
RIGHT = {
    "dims": "(0,) + tuple(range(2, x.dim()))",
    "var": "((x - mean) ** 2).mean(dim=d, keepdim=True)",
    "den": "torch.sqrt(var + eps)",
    "affine": "xhat * gamma.reshape(shape) + beta.reshape(shape)",
    "groups": "x.reshape(n, num_groups, -1)",
    "group_dims": "(2,)",
}


def student(**slips: str) -> dict:
    """The template's namespace with some slots replaced by a slip (``x`` is ``g`` in group_norm)."""
    code = TEMPLATE.format(**(RIGHT | slips))
    tail = code.index("def group_norm")
    return define(
        code[:tail]
        + code[tail:].replace("(x - mean)", "(g - mean)").replace("(x * x)", "(g * g)").replace("x.var(", "g.var(")
    )


OTHER_ND = {
    "var_mean over the flattened channel": """
        def batch_norm_nd(x, gamma, beta, eps=1e-5):
            c = x.shape[1]
            flat = x.transpose(0, 1).reshape(c, -1)
            var, mean = torch.var_mean(flat, dim=1, unbiased=False)
            shape = (1, c) + (1,) * (x.dim() - 2)
            return (x - mean.view(shape)) * torch.rsqrt(var.view(shape) + eps) * gamma.view(shape) + beta.view(shape)
    """,
    "float64, movedim": """
        def batch_norm_nd(x, gamma, beta, eps=1e-5):
            moved = x.double().movedim(1, -1)
            mean = moved.reshape(-1, x.shape[1]).mean(0)
            var = ((moved - mean) ** 2).reshape(-1, x.shape[1]).mean(0)
            y = (moved - mean) / torch.sqrt(var + eps) * gamma.double() + beta.double()
            return y.movedim(-1, 1).to(x.dtype).contiguous()
    """,
}
OTHER_GN = {
    "var_mean on a view": """
        def group_norm(x, num_groups, gamma, beta, eps=1e-5):
            n, c = x.shape[:2]
            g = x.reshape(n, num_groups, -1)
            var, mean = torch.var_mean(g, dim=-1, keepdim=True, unbiased=False)
            y = ((g - mean) * torch.rsqrt(var + eps)).view_as(x)
            return y * gamma[:, None, None] + beta[:, None, None]
    """,
    "loop over groups, numpy": """
        def group_norm(x, num_groups, gamma, beta, eps=1e-5):
            a = x.numpy()
            out = np.empty_like(a)
            size = a.shape[1] // num_groups
            for i in range(a.shape[0]):
                for k in range(num_groups):
                    block = a[i, k * size:(k + 1) * size]
                    out[i, k * size:(k + 1) * size] = (block - block.mean()) / np.sqrt(block.var() + eps)
            return torch.from_numpy(out) * gamma[:, None, None] + beta[:, None, None]
    """,
}

WRONG_ND = {
    "dims (0,)": ({"dims": "(0,)"}, {"wrong-reduction-dims"}),
    "unbiased": ({"var": "x.var(dim=d, keepdim=True, unbiased=True)"}, {"unbiased-normalization"}),
    "no eps": ({"den": "torch.sqrt(var)"}, {"missing-eps"}),
    "eps outside": ({"den": "(torch.sqrt(var) + eps)"}, {"eps-outside-sqrt"}),
    "no affine": ({"affine": "xhat"}, {"ignores-affine"}),
    "one pass": ({"var": "(x * x).mean(dim=d, keepdim=True) - mean ** 2"}, {"one-pass-variance"}),
    "float64 out": ({"affine": "(xhat * gamma.reshape(shape) + beta.reshape(shape)).double()"}, {"dtype-changed"}),
    "dims (0,), unbiased": (
        {"dims": "(0,)", "var": "x.var(dim=d, keepdim=True, unbiased=True)"},
        {"wrong-reduction-dims", "unbiased-normalization"},
    ),
}
WRONG_GN = {
    "interleaved groups": (
        {"groups": "x.reshape(n, c // num_groups, num_groups, -1)", "group_dims": "(1, 3)"},
        {"wrong-reduction-dims"},
    ),
    "groups pooled over the batch": ({"group_dims": "(0, 2)"}, {"wrong-reduction-dims"}),
    "unbiased": ({"var": "x.var(dim=d, keepdim=True, unbiased=True)"}, {"unbiased-normalization"}),
    "no eps": ({"den": "torch.sqrt(var)"}, {"missing-eps"}),
    "eps outside": ({"den": "(torch.sqrt(var) + eps)"}, {"eps-outside-sqrt"}),
    "no beta": ({"affine": "xhat * gamma.reshape(shape)"}, {"ignores-affine"}),
    "one pass": ({"var": "(x * x).mean(dim=d, keepdim=True) - mean ** 2"}, {"one-pass-variance"}),
}


@pytest.mark.parametrize("code", RIGHT_DIMS.values(), ids=RIGHT_DIMS.keys())
def test_right_reduction_dims_pass(code: str) -> None:
    result = grade("03.reduction_dims", define(code)["reduction_dims"])
    assert result.status == "passed", result.feedback


@pytest.mark.parametrize("code", WRONG_DIMS.values(), ids=WRONG_DIMS.keys())
def test_wrong_reduction_dims_fail(code: str) -> None:
    result = grade("03.reduction_dims", define(code)["reduction_dims"])
    assert result.status == "failed" and result.misconceptions == ["wrong-reduction-dims"], result.feedback


def test_reference_dims_read_off_torch_are_all_but_the_channel_dim() -> None:
    """docs/batchnorm-semantics.md: per channel, over (N, H, W) and its analogues for other ranks."""
    assert [variants.channel_dims(n) for n in (2, 3, 4, 5)] == [(0,), (0, 2), (0, 2, 3), (0, 2, 3, 4)]


def test_template_is_right() -> None:
    ns = student()
    for name in ("batch_norm_nd", "group_norm"):
        result = grade(f"03.{name}", ns[name])
        assert result.status == "passed", result.feedback


@pytest.mark.parametrize("code", OTHER_ND.values(), ids=OTHER_ND.keys())
def test_right_batch_norm_nd_pass(code: str) -> None:
    result = grade("03.batch_norm_nd", define(code)["batch_norm_nd"])
    assert result.status == "passed", result.feedback


@pytest.mark.parametrize("code", OTHER_GN.values(), ids=OTHER_GN.keys())
def test_right_group_norms_pass(code: str) -> None:
    result = grade("03.group_norm", define(code)["group_norm"])
    assert result.status == "passed", result.feedback


@pytest.mark.parametrize(("slips", "named"), WRONG_ND.values(), ids=WRONG_ND.keys())
def test_wrong_batch_norm_nd_diagnosed(slips: dict[str, str], named: set[str]) -> None:
    result = grade("03.batch_norm_nd", student(**slips)["batch_norm_nd"])
    assert result.status == "failed"
    assert set(result.misconceptions) == named, result.feedback


@pytest.mark.parametrize(("slips", "named"), WRONG_GN.values(), ids=WRONG_GN.keys())
def test_wrong_group_norms_diagnosed(slips: dict[str, str], named: set[str]) -> None:
    result = grade("03.group_norm", student(**slips)["group_norm"])
    assert result.status == "failed"
    assert set(result.misconceptions) == named, result.feedback


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 3),
    groups=st.integers(1, 3),
    per_group=st.integers(1, 3),
    hw=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    seed=st.integers(0, 2**16),
)
def test_group_norm_variant_is_torchs(n: int, groups: int, per_group: int, hw: tuple[int, int], seed: int) -> None:
    """variants.group_norm equals nn.GroupNorm; one group equals LayerNorm with gamma, beta broadcast."""
    assume(per_group * hw[0] * hw[1] > 1)  # torch refuses groups of one value
    gen = torch.Generator().manual_seed(seed)
    c = groups * per_group
    x = torch.randn((n, c, *hw), generator=gen, dtype=torch.float64)
    gamma, beta = torch.randn(c, generator=gen, dtype=torch.float64), torch.randn(c, generator=gen, dtype=torch.float64)
    gn = nn.GroupNorm(groups, c, dtype=torch.float64)
    with torch.no_grad():
        gn.weight.copy_(gamma)
        gn.bias.copy_(beta)
        torch.testing.assert_close(variants.group_norm(x, groups, gamma, beta, 1e-5), gn(x))
        ln = nn.LayerNorm(x.shape[1:], dtype=torch.float64)
        ln.weight.copy_(gamma[:, None, None].expand(x.shape[1:]))
        ln.bias.copy_(beta[:, None, None].expand(x.shape[1:]))
        torch.testing.assert_close(variants.group_norm(x, 1, gamma, beta, 1e-5), ln(x))


@settings(max_examples=20, deadline=None)
@given(shape=st.lists(st.integers(2, 4), min_size=2, max_size=5), seed=st.integers(0, 2**16))
def test_bn_train_variant_is_torchs_at_every_rank(shape: list[int], seed: int) -> None:
    x = torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    gamma, beta = torch.rand(shape[1], dtype=torch.float64), torch.rand(shape[1], dtype=torch.float64)
    module = {2: nn.BatchNorm1d, 3: nn.BatchNorm1d, 4: nn.BatchNorm2d, 5: nn.BatchNorm3d}[len(shape)](
        shape[1], dtype=torch.float64
    )
    with torch.no_grad():
        module.weight.copy_(gamma)
        module.bias.copy_(beta)
        torch.testing.assert_close(variants.bn_train(x, gamma, beta, 1e-5), module(x))


CHANNELS_ONLY_GROUP_NORMS = {
    "reshape, mean over dim 2": """
        def group_norm(x, num_groups, gamma, beta, eps=1e-5):
            n, c = x.shape[:2]
            xg = x.reshape(n, num_groups, c // num_groups, -1)
            mean = xg.mean(dim=2, keepdim=True)
            var = ((xg - mean) ** 2).mean(dim=2, keepdim=True)
            xhat = ((xg - mean) / torch.sqrt(var + eps)).reshape(x.shape)
            return xhat * gamma.view(1, -1, 1, 1) + beta.view(1, -1, 1, 1)
    """,
    "loop over groups": """
        def group_norm(x, num_groups, gamma, beta, eps=1e-5):
            k = x.shape[1] // num_groups
            parts = []
            for g in range(num_groups):
                xs = x[:, g * k:(g + 1) * k]
                var, mean = torch.var_mean(xs, dim=1, unbiased=False, keepdim=True)
                parts.append((xs - mean) * torch.rsqrt(var + eps))
            return torch.cat(parts, dim=1) * gamma[:, None, None] + beta[:, None, None]
    """,
}


@pytest.mark.parametrize("code", CHANNELS_ONLY_GROUP_NORMS.values(), ids=CHANNELS_ONLY_GROUP_NORMS.keys())
def test_group_statistics_without_the_spatial_dims_are_wrong_reduction_dims(code: str) -> None:
    result = grade("03.group_norm", define(code)["group_norm"])
    assert result.status == "failed" and result.misconceptions == ["wrong-reduction-dims"], result.feedback
