# expect: pass
class _MyNorm(nn.Module):
    """Shared state of my normalization layers."""

    def __init__(self, num_features, eps, momentum, affine, track_running_stats, device, dtype, bias):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        factory = {"device": device, "dtype": dtype}
        self.weight = nn.Parameter(torch.empty(num_features, **factory)) if affine else None
        self.bias = nn.Parameter(torch.empty(num_features, **factory)) if (affine and bias) else None
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **factory))
            self.register_buffer("running_var", torch.ones(num_features, **factory))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.weight is not None:
            nn.init.ones_(self.weight)
        if self.bias is not None:
            nn.init.zeros_(self.bias)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm2d(_MyNorm):
    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias)

    @property
    def _batch_stats(self):
        return self.training or (self.running_mean is None and self.running_var is None)

    @property
    def _buffers_in_play(self):
        return (not self.training) or self.track_running_stats

    def _factor(self):
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                return 1.0 / float(self.num_batches_tracked)
            return self.momentum
        return 0.0 if self.momentum is None else self.momentum

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(f"expected 4D input (got {x.dim()}D input)")
        factor = self._factor()
        rm = self.running_mean if self._buffers_in_play else None
        rv = self.running_var if self._buffers_in_play else None
        if self._batch_stats:
            if x.size(0) * x.size(2) * x.size(3) == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        c = x.size(1)
        for name, t in (("running_mean", rm), ("running_var", rv), ("weight", self.weight), ("bias", self.bias)):
            if t is not None and t.numel() != c:
                raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
        if self._batch_stats:
            mu = x.mean(dim=(0, 2, 3), keepdim=True)
            var = (x - mu).pow(2).mean(dim=(0, 2, 3), keepdim=True)
            if rm is not None and x.numel() > 0:
                m = x.numel() // c
                rm.data.mul_(1 - factor).add_(factor * mu.detach().view(-1))
                rv.data.mul_(1 - factor).add_(factor * var.detach().view(-1) * m / (m - 1))
        else:
            mu = rm.view(1, -1, 1, 1)
            var = rv.view(1, -1, 1, 1)
        y = (x - mu) / (var + self.eps).sqrt()
        if self.weight is not None:
            y = self.weight.view(1, -1, 1, 1) * y
        if self.bias is not None:
            y = y + self.bias.view(1, -1, 1, 1)
        return y
