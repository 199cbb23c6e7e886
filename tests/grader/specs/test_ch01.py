"""Chapter 01 specs: correct variants pass every case; each classic mistake is named."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from inprocess import grade

from autograder.grader.specs import spec
from autograder.types import Case

# --- channel_moments -------------------------------------------------------------------


def moments_two_pass(x):
    mean = x.mean(dim=(0, 2, 3))
    return mean, ((x - mean[None, :, None, None]) ** 2).mean(dim=(0, 2, 3))


def moments_var_mean(x):
    var, mean = torch.var_mean(x, dim=(0, 2, 3), unbiased=False)
    return mean, var


def moments_float64(x):
    mean, var = moments_two_pass(x.double())
    return mean.to(x.dtype), var.to(x.dtype)


def moments_numpy(x):
    a = x.numpy()
    return torch.from_numpy(a.mean(axis=(0, 2, 3))).to(x.dtype), torch.from_numpy(a.var(axis=(0, 2, 3))).to(x.dtype)


def moments_einsum(x):
    n = x.shape[0] * x.shape[2] * x.shape[3]
    mean = torch.einsum("nchw->c", x) / n
    centered = x - mean[None, :, None, None]
    return mean, torch.einsum("nchw,nchw->c", centered, centered) / n


def moments_transposed(x):
    flat = x.transpose(0, 1).reshape(x.shape[1], -1)
    return flat.mean(1), flat.var(1, unbiased=False)


@pytest.mark.parametrize(
    "answer", [moments_two_pass, moments_var_mean, moments_float64, moments_numpy, moments_einsum, moments_transposed]
)
def test_correct_channel_moments_pass(answer: Any) -> None:
    result = grade("01.channel_moments", answer)
    assert result.status == "passed", result.feedback
    assert result.score == result.max_score == 1.0


def moments_unbiased(x):
    return x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3))


def moments_reshape(x):
    flat = x.reshape(x.shape[1], -1)  # mixes channels: the classic reshape mistake
    return flat.mean(1), flat.var(1, unbiased=False)


def moments_batch_only(x):
    return x.mean(0), x.var(0, unbiased=False)


def moments_spatial_only(x):
    var, mean = torch.var_mean(x, dim=(2, 3), unbiased=False)
    return mean, var


def moments_one_pass(x):
    mean = x.mean(dim=(0, 2, 3))
    return mean, (x * x).mean(dim=(0, 2, 3)) - mean * mean


def moments_in_place(x):
    x -= x.mean(dim=(0, 2, 3), keepdim=True)
    return moments_two_pass(x)


def moments_float64_out(x):
    return moments_two_pass(x.double())


@pytest.mark.parametrize(
    ("answer", "misconception"),
    [
        (moments_unbiased, "unbiased-normalization"),
        (moments_reshape, "wrong-reduction-dims"),
        (moments_batch_only, "wrong-reduction-dims"),
        (moments_spatial_only, "wrong-reduction-dims"),
        (moments_one_pass, "one-pass-variance"),
        (moments_in_place, "input-mutated"),
        (moments_float64_out, "dtype-changed"),
    ],
)
def test_channel_moments_mistakes_are_named(answer: Any, misconception: str) -> None:
    result = grade("01.channel_moments", answer)
    assert result.status == "failed" and result.score == 0.0
    assert result.misconceptions == [misconception], result.feedback
    assert misconception in result.feedback and "https://" in result.feedback


# --- standardize -----------------------------------------------------------------------


def standardize_two_pass(x, eps=1e-5):
    mean, var = moments_two_pass(x)
    return (x - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + eps)


def standardize_var_mean(x, eps=1e-5):
    var, mean = torch.var_mean(x, dim=(0, 2, 3), keepdim=True, unbiased=False)
    return (x - mean) * torch.rsqrt(var + eps)


def standardize_float64(x, eps=1e-5):
    return standardize_two_pass(x.double(), eps).to(x.dtype)


def standardize_numpy(x, eps=1e-5):
    a = x.numpy()
    mean, var = a.mean(axis=(0, 2, 3), keepdims=True), a.var(axis=(0, 2, 3), keepdims=True)
    return torch.from_numpy((a - mean) / np.sqrt(var + eps)).to(x.dtype)


def standardize_einsum(x, eps=1e-5):
    mean, var = moments_einsum(x)
    return torch.einsum("nchw,c->nchw", x - mean[None, :, None, None], torch.rsqrt(var + eps))


@pytest.mark.parametrize(
    "answer", [standardize_two_pass, standardize_var_mean, standardize_float64, standardize_numpy, standardize_einsum]
)
def test_correct_standardize_pass(answer: Any) -> None:
    result = grade("01.standardize", answer)
    assert result.status == "passed", result.feedback


def standardize_unbiased(x, eps=1e-5):
    return (x - x.mean((0, 2, 3), keepdim=True)) / torch.sqrt(x.var((0, 2, 3), keepdim=True) + eps)


def standardize_no_eps(x, eps=1e-5):
    var, mean = torch.var_mean(x, dim=(0, 2, 3), keepdim=True, unbiased=False)
    return (x - mean) / torch.sqrt(var)


def standardize_eps_outside(x, eps=1e-5):
    var, mean = torch.var_mean(x, dim=(0, 2, 3), keepdim=True, unbiased=False)
    return (x - mean) / (torch.sqrt(var) + eps)


def standardize_layer_dims(x, eps=1e-5):
    var, mean = torch.var_mean(x, dim=(1, 2, 3), keepdim=True, unbiased=False)
    return (x - mean) / torch.sqrt(var + eps)


def standardize_reshape(x, eps=1e-5):
    flat = x.reshape(x.shape[1], -1)
    var, mean = torch.var_mean(flat, 1, keepdim=True, unbiased=False)
    return ((flat - mean) / torch.sqrt(var + eps)).reshape(x.shape)


def standardize_one_pass(x, eps=1e-5):
    mean = x.mean((0, 2, 3), keepdim=True)
    return (x - mean) / torch.sqrt((x * x).mean((0, 2, 3), keepdim=True) - mean * mean + eps)


def standardize_in_place(x, eps=1e-5):
    mean, var = moments_two_pass(x)
    x.sub_(mean[None, :, None, None])
    return x / torch.sqrt(var[None, :, None, None] + eps)


def standardize_float64_out(x, eps=1e-5):
    return standardize_two_pass(x.double(), eps)


def standardize_std(x, eps=1e-5):
    return (x - x.mean((0, 2, 3), keepdim=True)) / x.std((0, 2, 3), keepdim=True)


@pytest.mark.parametrize(
    ("answer", "misconceptions"),
    [
        (standardize_unbiased, ["unbiased-normalization"]),
        (standardize_no_eps, ["missing-eps"]),
        (standardize_eps_outside, ["eps-outside-sqrt"]),
        (standardize_layer_dims, ["wrong-reduction-dims"]),
        (standardize_reshape, ["wrong-reduction-dims"]),
        (standardize_one_pass, ["one-pass-variance"]),
        (standardize_in_place, ["input-mutated"]),
        (standardize_float64_out, ["dtype-changed"]),
        (standardize_std, ["unbiased-normalization", "missing-eps"]),
    ],
)
def test_standardize_mistakes_are_named(answer: Any, misconceptions: list[str]) -> None:
    result = grade("01.standardize", answer)
    assert result.status == "failed"
    assert sorted(result.misconceptions) == sorted(misconceptions), result.feedback


def test_ignoring_the_eps_argument_fails_without_a_false_diagnosis() -> None:
    result = grade("01.standardize", lambda x, eps=1e-5: standardize_two_pass(x))
    assert result.status == "failed" and "eps=0.001" in result.feedback
    assert result.misconceptions == []


def test_not_implemented_and_errors() -> None:
    def blank(x):
        raise NotImplementedError

    assert grade("01.channel_moments", blank).status == "not-implemented"
    broken = grade("01.channel_moments", lambda x: x.nope)
    assert broken.status == "error" and "AttributeError" in broken.feedback
    single = grade("01.channel_moments", lambda x: x.mean((0, 2, 3)))
    assert single.status == "failed" and "must return a tuple (mean, var)" in single.feedback


def test_cases_cover_the_contract() -> None:
    cases = spec("01.standardize").cases()
    shapes = [c.inputs["x"].shape for c in cases]
    assert any(s[0] == 1 and s[2] * s[3] > 1 for s in shapes)  # batch 1, spatial > 1
    assert any(s[1] == 1 for s in shapes)  # one channel
    assert {c.inputs["x"].dtype.name for c in cases} == {"float32", "float64"}
    assert {c.params["layout"] for c in cases} == {"contiguous", "channels_last", "noncontiguous"}
    assert any("large mean" in c.label for c in cases) and any("eps matters" in c.label for c in cases)
    quick = spec("01.standardize").cases(quick=True)
    assert 0 < len(quick) < len(cases)


def test_cases_are_seeded() -> None:
    first, second = spec("01.channel_moments").cases(), spec("01.channel_moments").cases()
    assert all(np.array_equal(a.inputs["x"], b.inputs["x"]) for a, b in zip(first, second))


def test_reference_matches_the_semantics_numbers() -> None:
    """docs/batchnorm-semantics.md: x = arange(16).reshape(2, 2, 2, 2): channel 0 has mean 5.5, biased var 17.25."""
    x = np.arange(16.0, dtype=np.float32).reshape(2, 2, 2, 2)
    want = spec("01.channel_moments").reference(Case("x", {"x": x}, {}))
    np.testing.assert_allclose(want["mean"], [5.5, 9.5], rtol=1e-6)
    np.testing.assert_allclose(want["var"], [17.25, 17.25], rtol=1e-6)
    y = spec("01.standardize").reference(Case("x", {"x": x}, {"eps": None}))["y"]
    assert y[0, 0, 0, 0] == pytest.approx(-1.3242440, abs=1e-6)


batches = st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)).filter(
    lambda s: s[0] * s[2] * s[3] > 1
)


@settings(max_examples=25, deadline=None)
@given(
    batches, st.sampled_from(["float32", "float64"]), st.integers(0, 2**32 - 1), st.floats(-50, 50), st.floats(0.1, 10)
)
def test_property_references(shape: tuple[int, ...], dtype: str, seed: int, center: float, scale: float) -> None:
    """channel_moments' reference is numpy's mean and biased var; standardize's output has per-channel
    mean 0 and variance about 1."""
    x = (center + scale * np.random.default_rng(seed).standard_normal(shape)).astype(dtype)
    case = Case("x", {"x": x}, {"eps": None})
    moments = spec("01.channel_moments").reference(case)
    rtol = 1e-4 if dtype == "float32" else 1e-10
    np.testing.assert_allclose(
        moments["mean"], x.astype(np.float64).mean(axis=(0, 2, 3)), rtol=rtol, atol=rtol * (abs(center) + scale)
    )
    np.testing.assert_allclose(
        moments["var"], x.astype(np.float64).var(axis=(0, 2, 3)), rtol=10 * rtol, atol=rtol * scale**2
    )
    y = spec("01.standardize").reference(case)["y"].astype(np.float64)
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0.0, atol=1e-3 if dtype == "float32" else 1e-9)
    var = x.astype(np.float64).var(axis=(0, 2, 3))
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), var / (var + 1e-5), rtol=1e-3)
    assert spec("01.standardize").compare(case, {"y": y.astype(dtype)}, {"y": y.astype(dtype)}) is None


def test_an_unlisted_mistake_is_not_given_a_wrong_name() -> None:
    """Averaging per-position variances is wrong everywhere; on large-mean cases its error
    also fits one-pass's error bound, which must not be named for it."""
    result = grade("01.channel_moments", lambda x: (x.mean((0, 2, 3)), x.var(dim=0, unbiased=False).mean((1, 2))))
    assert result.status == "failed"
    assert result.misconceptions == []
    assert result.feedback.startswith("Case 1 of ")
    assert "No misconception on the course's list explains this case" in result.feedback
