"""Chapter 07 specs with real gloo process groups: right answers pass, wrong ones fail or are named."""

from __future__ import annotations

import pytest
from inprocess import define, grade

import autograder.submission.probes.distributed as probes_ch07

from . import bn_impls

GATHERED = """
import torch.distributed as dist

def sync_moments(x, group=None):
    '''Correct, written differently: all_gather each rank's (count, mean, M2), combine with Chan's formula.'''
    c = x.shape[1]
    flat = x.transpose(0, 1).reshape(c, -1)
    local = torch.stack([torch.full((c,), float(flat.shape[1]), dtype=x.dtype), flat.mean(1),
                         ((flat - flat.mean(1, keepdim=True)) ** 2).sum(1)])
    parts = [torch.empty_like(local) for _ in range(dist.get_world_size(group))]
    dist.all_gather(parts, local, group=group)
    n, mean, m2 = parts[0]
    for nb, mb, m2b in parts[1:]:
        delta = mb - mean
        total = n + nb
        mean = mean + delta * nb / total
        m2 = m2 + m2b + delta ** 2 * n * nb / total
        n = total
    return mean, m2 / n, torch.tensor(int(n[0].item()))

def sync_batch_norm(x, gamma, beta, eps=1e-5, group=None):
    mean, var, _ = sync_moments(x, group)
    scale = gamma / torch.sqrt(var + eps)
    return x * scale[:, None, None] + (beta - mean * scale)[:, None, None]
"""


@pytest.mark.parametrize("answers", [vars(bn_impls), define(GATHERED)], ids=["all_reduce sums", "all_gather Chan"])
def test_right_answers_pass(answers: dict) -> None:
    for exercise in ("sync_moments", "sync_batch_norm"):
        result = grade(f"07.{exercise}", answers[exercise])
        assert result.status == "passed", result.feedback


def local_moments(x, group=None):
    return x.mean((0, 2, 3)), x.var((0, 2, 3), unbiased=False), x.numel() // x.shape[1]


def unbiased_moments(x, group=None):
    mean, var, n = bn_impls.sync_moments(x, group)
    return mean, var * n / (n - 1), n


def test_local_statistics_fail() -> None:
    result = grade("07.sync_moments", local_moments, quick=True)
    assert result.status == "failed"
    assert "rank 0: mean" in result.feedback


def test_unbiased_variance_is_named() -> None:
    result = grade("07.sync_moments", unbiased_moments, quick=True)
    assert result.status == "failed"
    assert result.misconceptions == ["unbiased-normalization"]


def test_sync_batch_norm_without_eps_is_named() -> None:
    def no_eps(x, gamma, beta, eps=1e-5, group=None):
        mean, var, _ = bn_impls.sync_moments(x, group)
        return (x - mean[:, None, None]) / var.sqrt()[:, None, None] * gamma[:, None, None] + beta[:, None, None]

    result = grade("07.sync_batch_norm", no_eps, quick=True)
    assert result.status == "failed"
    assert "missing-eps" in result.misconceptions, result.feedback


def test_ignoring_the_group_is_an_error_not_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(probes_ch07, "COLLECTIVE_SECONDS", 2.0)
    monkeypatch.setattr(probes_ch07, "CASE_SECONDS", 10.0)

    def default_group_only(x, group=None):
        return bn_impls.sync_moments(x)

    result = grade("07.sync_moments", default_group_only)
    assert result.status in ("error", "timeout")
    assert "Case 2 of 2" in result.feedback


def test_stub_and_exceptions_are_reported() -> None:
    def stub(x, group=None):
        raise NotImplementedError

    def broken(x, group=None):
        return {}["missing key"]

    assert grade("07.sync_moments", stub, quick=True).status == "not-implemented"
    result = grade("07.sync_moments", broken, quick=True)
    assert result.status == "error"
    assert "KeyError" in result.feedback and "missing key" in result.feedback
