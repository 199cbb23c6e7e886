"""Batch-normalization math, right and deliberately wrong, for references and diagnosis.

Grader side only. Every function takes torch tensors, computes in float64 and (where it
returns the normalized output) casts back to the input's dtype, so a variant differs from
the reference only by the mistake it models. The keyword options name the mistakes:

- ``variance="unbiased"``: normalizes with the n-1 variance (unbiased-normalization);
- ``eps_mode="none"`` / ``"outside"``: missing-eps / eps-outside-sqrt;
- ``dims``: the dims reduced over (wrong-reduction-dims when not the channel's);
- ``affine="none"`` / ``"scale"`` / ``"shift"``: drops gamma and beta, or one of them (ignores-affine);
- ``mean_term`` / ``var_term`` (backward): dx-missing-mean-term / dx-missing-var-term;
- ``keras`` / ``biased`` / ``none_weight`` (running statistics): keras-momentum /
  biased-running-var / no-cumulative-average.

Every statistic comes from torch's own batch norm, never from a re-implementation: the
reduction dims are read off ``nn.BatchNorm1d/2d/3d`` (``channel_dims``), means and
variances are the running buffers ``torch.nn.functional.batch_norm`` leaves after one step
with momentum 1 (``moments``), and a running-average step is one of its updates (``ema``).
So no function here, copied into an answer with its helpers, is the student's own work:
it uses what the answers may not (DESIGN.md, "The grader is not an answer").

``diagnosis.compose`` enumerates combinations of these mistakes, fewest first. A one-pass
variance (E[x^2] - E[x]^2) is not reproducible to the last bit: its error is cancellation
noise, so ``one_pass_bound`` gives the band that noise stays in, and
``rescaled_by_variance`` fits the variance an answer implies within that band.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Literal

import torch
from torch import nn
from torch.nn import functional

Dims = tuple[int, ...]
Variance = Literal["biased", "unbiased"]
EpsMode = Literal["inside", "outside", "none"]
Affine = Literal["both", "none", "scale", "shift"]
NoneWeight = Literal["average", "zero", "one", "default", "k-plus-one", "count-before"]


BATCH_NORMS: dict[int, type[nn.Module]] = {2: nn.BatchNorm1d, 3: nn.BatchNorm1d, 4: nn.BatchNorm2d, 5: nn.BatchNorm3d}
_PROBE_SHAPES = {2: (5, 3), 3: (5, 3, 4), 4: (5, 3, 4, 2), 5: (5, 3, 4, 2, 3)}


@functools.cache
def channel_dims(ndim: int) -> Dims:
    """The dims torch's BatchNorm for rank ``ndim`` reduces over, read from its behaviour.

    One output value depends on exactly the inputs it shares statistics with: the dims
    along which the gradient of y[0, ..., 0] is nonzero at more than one index.
    """
    shape = _PROBE_SHAPES[ndim]
    x = torch.randn(shape, generator=torch.Generator().manual_seed(ndim), dtype=torch.float64, requires_grad=True)
    BATCH_NORMS[ndim](shape[1], dtype=torch.float64).train()(x)[(0,) * ndim].backward()
    assert x.grad is not None
    depends = torch.nonzero(x.grad.abs() > 1e-12)
    return tuple(d for d in range(ndim) if len(torch.unique(depends[:, d])) > 1)


def wrong_dims(ndim: int) -> list[Dims]:
    """Plausible wrong reduction dims for a rank-``ndim`` input (never the right ones)."""
    candidates = [(0,), tuple(range(1, ndim)), tuple(range(2, ndim)), tuple(range(ndim)), (0, ndim - 1)]
    right = channel_dims(ndim)
    unique = {tuple(sorted(set(d))) for d in candidates if d}
    return sorted(d for d in unique if d != right)


def count(x: torch.Tensor, dims: Sequence[int]) -> int:
    """How many values each statistic over ``dims`` averages."""
    return math.prod(x.shape[d] for d in dims)


def moments(x: torch.Tensor, dims: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and biased variance over ``dims`` (kept as size-1 dims), in float64, from torch's batch norm.

    The reduced dims become the batch of a (n, K) input whose K columns are the statistics
    wanted; after one training step with momentum 1, batch norm's running buffers hold
    their means and unbiased variances. Those buffers carry no gradient, so when ``x``
    needs one, terms whose value is zero and whose gradient is the statistic's are added.
    Fewer than two values leave nothing to estimate: the mean of one value is itself and
    its variance 0 (of none, NaN).
    """
    kept = [d for d in range(x.dim()) if d not in dims]
    shape = [1 if d in dims else x.shape[d] for d in range(x.dim())]
    n = count(x, dims)
    columns = x.double().permute(*dims, *kept).reshape(n, math.prod(x.shape[d] for d in kept))
    if n < 2:
        empty = torch.full(columns.shape[1:], math.nan, dtype=torch.float64)
        mean, var = (columns[0], torch.zeros_like(columns[0])) if n else (empty, empty)
        return mean.reshape(shape), var.reshape(shape)
    mean = torch.zeros(columns.shape[1], dtype=torch.float64)
    unbiased = torch.ones(columns.shape[1], dtype=torch.float64)
    functional.batch_norm(columns.detach(), mean, unbiased, training=True, momentum=1.0)
    mean, var = mean.reshape(shape), (unbiased * (n - 1) / n).reshape(shape)
    if not x.requires_grad:
        return mean, var
    x64 = x.double()
    mean = mean + (x64 - x64.detach()).mean(dim=tuple(dims), keepdim=True)  # + 0, with d(mean)/dx
    centred = x64 - mean
    return mean, var + (centred**2 - centred.detach() ** 2).mean(dim=tuple(dims), keepdim=True)  # + 0, d(var)/dx


def one_pass_bound(x: torch.Tensor, dims: Sequence[int]) -> torch.Tensor:
    """How far a one-pass variance in ``x``'s dtype may stray from the true one, per statistic.

    E[x^2] - E[x]^2 cancels; the error is a few ulps of E[x^2] times the summation's error
    growth (between log2(n) for pairwise and sqrt(n) for sequential accumulation).
    """
    ulp = torch.finfo(x.dtype).eps
    n = count(x, dims)
    return (4 + 2 * math.sqrt(n)) * ulp * (x.double() ** 2).mean(dim=tuple(dims), keepdim=True)


def scale(var: torch.Tensor, eps: float, eps_mode: EpsMode) -> torch.Tensor:
    """The divisor of x - mean: sqrt(var + eps), sqrt(var) + eps or sqrt(var)."""
    if eps_mode == "inside":
        return torch.sqrt(var + eps)
    if eps_mode == "outside":
        return torch.sqrt(var) + eps
    return torch.sqrt(var)


def normalize(
    x: torch.Tensor,
    dims: Sequence[int],
    eps: float,
    *,
    variance: Variance = "biased",
    eps_mode: EpsMode = "inside",
) -> torch.Tensor:
    """x_hat in float64: x standardized over ``dims`` with the chosen estimator and eps placement."""
    mean, var = moments(x, dims)
    if variance == "unbiased":
        n = count(x, dims)
        var = var * n / (n - 1) if n > 1 else torch.full_like(var, math.nan)
    return (x.double() - mean) / scale(var, eps, eps_mode)


def per_channel(v: torch.Tensor, ndim: int) -> torch.Tensor:
    """A (C,) vector shaped to broadcast over dim 1 of a rank-``ndim`` tensor, in float64."""
    return v.double().reshape(1, -1, *([1] * (ndim - 2)))


def apply_affine(xhat: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, affine: Affine = "both") -> torch.Tensor:
    """gamma * x_hat + beta per channel, or with gamma and/or beta dropped."""
    out = xhat
    if affine in ("both", "scale"):
        out = out * per_channel(gamma, xhat.dim())
    if affine in ("both", "shift"):
        out = out + per_channel(beta, xhat.dim())
    return out


def bn_train(
    x: torch.Tensor,
    gamma: torch.Tensor,
    beta: torch.Tensor,
    eps: float,
    dims: Sequence[int] | None = None,
    *,
    variance: Variance = "biased",
    eps_mode: EpsMode = "inside",
    affine: Affine = "both",
) -> torch.Tensor:
    """Train-mode batch norm over ``dims`` (default: all but dim 1), in ``x``'s dtype."""
    dims = channel_dims(x.dim()) if dims is None else dims
    xhat = normalize(x, dims, eps, variance=variance, eps_mode=eps_mode)
    return apply_affine(xhat, gamma, beta, affine).to(x.dtype)


def group_norm(
    x: torch.Tensor,
    num_groups: int,
    gamma: torch.Tensor,
    beta: torch.Tensor,
    eps: float,
    *,
    grouping: Literal["contiguous", "interleaved", "with-batch", "channels-only"] = "contiguous",
    variance: Variance = "biased",
    eps_mode: EpsMode = "inside",
    affine: Affine = "both",
) -> torch.Tensor:
    """Group norm with per-channel affine; ``grouping`` models the wrong ways to form groups.

    contiguous: channels [0, C/G) form group 0 (torch); interleaved: channel c joins group
    c % G; with-batch: each group's statistics also pool over the batch; channels-only:
    they come from the group's channels at each position alone (the spatial dims left out).
    """
    n, c = x.shape[:2]
    if grouping == "interleaved":
        grouped = x.reshape(n, c // num_groups, num_groups, -1).transpose(1, 2)
    else:
        grouped = x.reshape(n, num_groups, c // num_groups, -1)
    dims = {"with-batch": (0, 2, 3), "channels-only": (2,)}.get(grouping, (2, 3))
    xhat = normalize(grouped, dims, eps, variance=variance, eps_mode=eps_mode)
    if grouping == "interleaved":
        xhat = xhat.transpose(1, 2)
    return apply_affine(xhat.reshape(x.shape), gamma, beta, affine).to(x.dtype)


def group_bound(x: torch.Tensor, num_groups: int) -> torch.Tensor:
    """``one_pass_bound`` for each (sample, group) of ``x``, shaped (N, G, 1, 1)."""
    n, c = x.shape[:2]
    return one_pass_bound(x.reshape(n, num_groups, c // num_groups, -1), (2, 3))


def bn_backward(
    x: torch.Tensor,
    gamma: torch.Tensor,
    dy: torch.Tensor,
    eps: float,
    *,
    variance: Variance = "biased",
    eps_mode: EpsMode = "inside",
    mean_term: bool = True,
    var_term: bool = True,
) -> torch.Tensor:
    """dx of train-mode batch norm (all but dim 1 reduced), optionally without the statistics' terms."""
    dims = channel_dims(x.dim())
    xhat = normalize(x, dims, eps, variance=variance, eps_mode=eps_mode)
    _, var = moments(x, dims)
    if variance == "unbiased":
        var = var * count(x, dims) / (count(x, dims) - 1)
    g = dy.double()
    inner = g
    if mean_term:
        inner = inner - g.mean(dim=dims, keepdim=True)
    if var_term:
        inner = inner - xhat * (g * xhat).mean(dim=dims, keepdim=True)
    return (per_channel(gamma, x.dim()) * inner / scale(var, eps, eps_mode)).to(x.dtype)


def param_grads(
    x: torch.Tensor,
    dy: torch.Tensor,
    eps: float,
    *,
    variance: Variance = "biased",
    eps_mode: EpsMode = "inside",
) -> dict[str, dict[str, torch.Tensor]]:
    """dgamma and dbeta candidates: the right ones ("right") and the usual wrong ones, by name."""
    dims = channel_dims(x.dim())
    xhat = normalize(x, dims, eps, variance=variance, eps_mode=eps_mode)
    g = dy.double()

    def cast(t: torch.Tensor) -> torch.Tensor:
        return t.to(x.dtype)

    return {
        "dgamma": {
            "right": cast((g * xhat).sum(dims)),
            "no-xhat": cast(g.sum(dims)),
            "x-not-xhat": cast((g * x.double()).sum(dims)),
            "mean": cast((g * xhat).mean(dims)),
        },
        "dbeta": {"right": cast(g.sum(dims)), "mean": cast(g.mean(dims)), "with-xhat": cast((g * xhat).sum(dims))},
    }


def ema(running: torch.Tensor, value: torch.Tensor, weight: float, *, keras: bool = False) -> torch.Tensor:
    """One running-average step, (1 - w) * running + w * value, as batch norm's running mean takes it.

    A batch of two equal rows has ``value`` as its mean; one training step of
    ``functional.batch_norm`` with momentum ``w`` moves the running mean by exactly that step.
    Keras weights the old value by w, so its step is torch's with momentum 1 - w.
    """
    w = 1.0 - weight if keras else weight
    stepped = running.double().flatten().clone()
    batch = value.double().flatten().expand(2, -1)
    functional.batch_norm(batch, stepped, torch.ones_like(stepped), training=True, momentum=w)
    return stepped.reshape(running.shape).to(running.dtype)


def update_weight(momentum: float | None, batches_seen: int, none_weight: NoneWeight = "average") -> float:
    """The update weight of the ``batches_seen``-th tracked batch (counted after the increment).

    momentum None is a cumulative average (weight 1/k); the wrong readings freeze the
    statistics (zero), keep only the last batch (one), fall back to torch's default 0.1,
    count one too many (1/(k+1)) or take the count before its increment (1/(k-1), 1 at first).
    """
    if momentum is not None:
        return momentum
    weights = {
        "average": 1.0 / batches_seen,
        "zero": 0.0,
        "one": 1.0,
        "default": 0.1,
        "k-plus-one": 1.0 / (batches_seen + 1),
        "count-before": 1.0 / max(batches_seen - 1, 1),
    }
    return weights[none_weight]


def running_stats(
    running_mean: torch.Tensor,
    running_var: torch.Tensor,
    batches_tracked: int,
    batches: Sequence[torch.Tensor],
    momentum: float | None,
    *,
    keras: bool = False,
    biased: bool = False,
    none_weight: NoneWeight = "average",
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(running_mean, running_var) after each batch of a sequence of train-mode forwards."""
    history = []
    for batch in batches:
        batches_tracked += 1
        weight = update_weight(momentum, batches_tracked, none_weight)
        dims = channel_dims(batch.dim())
        mean, var = (t.flatten() for t in moments(batch, dims))
        if not biased:
            n = count(batch, dims)
            var = var * n / (n - 1)
        running_mean = ema(running_mean, mean, weight, keras=keras)
        running_var = ema(running_var, var, weight, keras=keras)
        history.append((running_mean, running_var))
    return history


def rescaled_by_variance(
    got: torch.Tensor, want: torch.Tensor, shift: torch.Tensor, var: torch.Tensor, eps: float, bound: torch.Tensor
) -> torch.Tensor | None:
    """``want`` rescaled per row as a perturbed variance would, fitted to ``got``; None when out of band.

    Rows are normalization groups (one per row, values along dim 1): ``want - shift`` is
    x_hat * gamma, and a variance v' in place of ``var`` scales it by sqrt((var + eps) / (v' + eps)).
    The fitted v' must lie within ``bound`` of ``var`` (the one-pass cancellation band).
    """
    d_got, d_want = (got.double() - shift.double()), (want.double() - shift.double())
    ratio = (d_got * d_want).sum(1, keepdim=True) / (d_want**2).sum(1, keepdim=True).clamp_min(1e-300)
    if not bool(torch.isfinite(ratio).all()) or bool((ratio <= 0).any()):
        return None
    fitted = (var.double() + eps) / ratio**2 - eps
    if bool(((fitted - var.double()).abs() > bound.double()).any()):
        return None
    return (shift.double() + ratio * d_want).to(want.dtype)
