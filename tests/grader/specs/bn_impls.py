"""Student-style BatchNorm2d implementations for the spec tests (not part of the grader).

``BatchNorm2d`` is a correct from-scratch module written the way the chapter teaches;
``BatchNorm2dVarMean`` is a second correct one written differently. The wrong
implementations the tests need subclass ``BatchNorm2d`` and override one small method,
the way a student's single slip would look.
"""

from __future__ import annotations

import torch
from torch import nn


class BatchNorm2d(nn.Module):
    """A correct BatchNorm2d from scratch."""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        kw = {"device": device, "dtype": dtype}
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features, **kw))
            self.bias = nn.Parameter(torch.zeros(num_features, **kw)) if bias else None
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **kw))
            self.register_buffer("running_var", torch.ones(num_features, **kw))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            nn.init.ones_(self.weight)
            if self.bias is not None:
                nn.init.zeros_(self.bias)

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )

    def batch_stats(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean = x.mean(dim=(0, 2, 3))
        var = ((x - mean[None, :, None, None]) ** 2).mean(dim=(0, 2, 3))
        return mean, var

    def factor(self) -> float:
        self.num_batches_tracked += 1
        return 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum

    def update(self, mean: torch.Tensor, var: torch.Tensor, n: int, f: float) -> None:
        with torch.no_grad():
            self.running_mean.mul_(1 - f).add_(f * mean)
            self.running_var.mul_(1 - f).add_(f * var * n / (n - 1))

    def normalize(self, x: torch.Tensor, mean: torch.Tensor, var: torch.Tensor) -> torch.Tensor:
        return (x - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + self.eps)

    def affine_map(self, xhat: torch.Tensor) -> torch.Tensor:
        if self.weight is not None:
            xhat = xhat * self.weight[None, :, None, None]
        if self.bias is not None:
            xhat = xhat + self.bias[None, :, None, None]
        return xhat

    def uses_batch_stats(self) -> bool:
        return self.training or self.running_mean is None

    def check(self, x: torch.Tensor, batch: bool, n: int) -> None:
        """torch's checks after counting: one value per channel, eps, the sizes of what it is handed."""
        if batch and n == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.shape}")
        if batch and self.eps <= 0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        if not batch and self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        handed = not self.training or self.track_running_stats
        sized = [("running_mean", self.running_mean if handed else None)]
        sized += [("running_var", self.running_var if handed else None), ("weight", self.weight), ("bias", self.bias)]
        for name, tensor in sized:
            if tensor is not None and len(tensor) != x.shape[1]:
                raise RuntimeError(f"{name} should contain {x.shape[1]} elements not {len(tensor)}")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4:
            raise ValueError(f"expected 4D input (got {x.dim()}D input)")
        n = x.numel() // x.shape[1]
        batch = self.uses_batch_stats()
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            f = self.factor()
            self.check(x, batch, n)
            mean, var = self.batch_stats(x)
            if n > 0:  # an empty batch is counted, but updates nothing
                self.update(mean.detach(), var.detach(), n, f)
        else:
            self.check(x, batch, n)
            if batch:
                mean, var = self.batch_stats(x)
        if not batch:
            mean, var = self.running_mean, self.running_var
        return self.affine_map(self.normalize(x, mean, var))


class BatchNorm2dVarMean(nn.Module):
    """A second correct BatchNorm2d: torch.var_mean, reshape-based, buffers assigned in place."""

    def __init__(
        self,
        num_features,
        eps=1e-5,
        momentum=0.1,
        affine=True,
        track_running_stats=True,
        device=None,
        dtype=None,
        *,
        bias=True,
    ):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats

        def make(fill: float) -> torch.Tensor:
            return torch.full((num_features,), float(fill), device=device, dtype=dtype)

        self.weight = nn.Parameter(make(1)) if affine else None
        self.bias = nn.Parameter(make(0)) if affine and bias else None
        for name, value in [
            ("running_mean", make(0)),
            ("running_var", make(1)),
            ("num_batches_tracked", torch.zeros((), dtype=torch.long, device=device)),
        ]:
            self.register_buffer(name, value if track_running_stats else None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.fill_(0.0)
            self.running_var.fill_(1.0)
            self.num_batches_tracked.fill_(0)

    def reset_parameters(self):
        self.reset_running_stats()
        with torch.no_grad():
            if self.weight is not None:
                self.weight.fill_(1.0)
            if self.bias is not None:
                self.bias.fill_(0.0)

    def extra_repr(self):
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )

    def forward(self, x):
        if x.ndim != 4:
            raise ValueError(f"expected 4D input (got {x.ndim}D input)")
        c = x.shape[1]
        flat = x.transpose(0, 1).reshape(c, -1)
        batch = self.training or self.running_var is None
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
        if batch and flat.shape[1] == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
        if self.eps < 0 or (batch and self.eps == 0):
            kind = "positive during training" if batch else "non-negative"
            raise ValueError(f"batch_norm eps must be {kind}, but got {self.eps}")
        stats = self.running_mean, self.running_var
        handed = stats if not self.training or self.track_running_stats else (None, None)
        for name, t in zip(("running_mean", "running_var", "weight", "bias"), (*handed, self.weight, self.bias)):
            if t is not None and t.shape[0] != c:
                raise RuntimeError(f"{name} should contain {c} elements not {t.shape[0]}")
        if batch:
            var, mean = torch.var_mean(flat, dim=1, unbiased=False)
            tracked = self.track_running_stats or not self.training
            if self.running_var is not None and tracked and flat.shape[1] > 0:
                k = float(self.num_batches_tracked)
                m = 1.0 / k if self.momentum is None else self.momentum
                n = flat.shape[1]
                with torch.no_grad():
                    self.running_mean.copy_(torch.lerp(self.running_mean, mean, m))
                    self.running_var.copy_(torch.lerp(self.running_var, var * (n / (n - 1)), m))
        else:
            mean, var = self.running_mean, self.running_var
        shape = (1, c, 1, 1)
        y = (x - mean.view(shape)) * torch.rsqrt(var.view(shape) + self.eps)
        if self.weight is not None:
            y = y * self.weight.view(shape)
        if self.bias is not None:
            y = y + self.bias.view(shape)
        return y


class FrozenBatchNorm2d(nn.Module):
    """A correct frozen BN: the eval-mode affine map, statistics and weights as buffers."""

    def __init__(
        self, weight: torch.Tensor, bias: torch.Tensor, mean: torch.Tensor, var: torch.Tensor, eps: float
    ) -> None:
        super().__init__()
        self.eps = eps
        for name, value in [("weight", weight), ("bias", bias), ("running_mean", mean), ("running_var", var)]:
            self.register_buffer(name, value.detach().clone())

    @classmethod
    def from_batchnorm(cls, bn: nn.BatchNorm2d) -> FrozenBatchNorm2d:
        ones = torch.ones_like(bn.running_mean)
        weight = bn.weight if bn.weight is not None else ones
        bias = bn.bias if bn.bias is not None else torch.zeros_like(ones)
        return cls(weight, bias, bn.running_mean, bn.running_var, bn.eps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scale = self.weight * torch.rsqrt(self.running_var + self.eps)
        shift = self.bias - self.running_mean * scale
        return x * scale.view(1, -1, 1, 1) + shift.view(1, -1, 1, 1)


def freeze_batchnorm(model: nn.Module) -> nn.Module:
    """Replace every nn.BatchNorm2d, at any depth and the model itself, by a FrozenBatchNorm2d."""
    if isinstance(model, nn.BatchNorm2d):
        return FrozenBatchNorm2d.from_batchnorm(model)
    for name, child in model.named_children():
        setattr(model, name, freeze_batchnorm(child))
    return model


def fold_bn(bn: nn.BatchNorm2d) -> tuple[torch.Tensor, torch.Tensor]:
    """A correct fold: the per-channel scale and shift of bn.eval()."""
    weight = bn.weight.detach() if bn.weight is not None else torch.ones_like(bn.running_mean)
    bias = bn.bias.detach() if bn.bias is not None else torch.zeros_like(bn.running_mean)
    scale = weight / torch.sqrt(bn.running_var + bn.eps)
    return scale, bias - bn.running_mean * scale


def fuse_conv_bn(conv: nn.Conv2d, bn: nn.BatchNorm2d) -> nn.Conv2d:
    """A correct fusion: a new conv whose output is bn.eval()(conv(x))."""
    scale, shift = fold_bn(bn)
    fused = nn.Conv2d(
        conv.in_channels,
        conv.out_channels,
        conv.kernel_size,
        conv.stride,
        conv.padding,
        conv.dilation,
        conv.groups,
        bias=True,
        dtype=conv.weight.dtype,
    )
    bias = conv.bias.detach() if conv.bias is not None else torch.zeros_like(shift)
    with torch.no_grad():
        fused.weight.copy_(conv.weight * scale.view(-1, 1, 1, 1))
        fused.bias.copy_(bias * scale + shift)
    return fused


def sync_moments(x: torch.Tensor, group=None):
    """Correct: all-reduce the count, the sum, then the centred sum of squares."""
    import torch.distributed as dist

    c = x.shape[1]
    local = x.transpose(0, 1).reshape(c, -1)
    stats = torch.cat([torch.tensor([float(local.shape[1])], dtype=x.dtype), local.sum(1)])
    dist.all_reduce(stats, group=group)
    count, mean = stats[0], stats[1:] / stats[0]
    sq = ((local - mean[:, None]) ** 2).sum(1)
    dist.all_reduce(sq, group=group)
    return mean, sq / count, int(count.item())


def sync_batch_norm(x, gamma, beta, eps=1e-5, group=None):
    """Correct: global moments, then the usual transform."""
    mean, var, _ = sync_moments(x, group)
    xhat = (x - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + eps)
    return xhat * gamma[None, :, None, None] + beta[None, :, None, None]
