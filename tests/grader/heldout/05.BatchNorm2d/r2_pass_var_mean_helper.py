# expect: pass
def _per_channel(t):
    return t[None, :, None, None]


class BatchNorm2d(nn.Module):
    """My batch norm."""
    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        opts = {"device": device, "dtype": dtype}
        self.weight = nn.Parameter(torch.ones(num_features, **opts)) if affine else None
        self.bias = nn.Parameter(torch.zeros(num_features, **opts)) if affine and bias else None
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **opts))
            self.register_buffer("running_var", torch.ones(num_features, **opts))
            self.register_buffer("num_batches_tracked", torch.zeros((), dtype=torch.long, device=device))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self):
        if not self.track_running_stats:
            return
        self.running_mean.zero_()
        self.running_var.fill_(1.0)
        self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.weight is not None:
            with torch.no_grad():
                self.weight.fill_(1.0)
                if self.bias is not None:
                    self.bias.zero_()

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")

    def _check_sizes(self, c, tensors):
        for name, t in tensors:
            if t is not None and t.numel() != c:
                raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")

    def forward(self, x):
        if x.ndim != 4:
            raise ValueError(f"expected 4D input (got {x.ndim}D input)")
        alpha = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked += 1
            if self.momentum is None:
                alpha = 1.0 / self.num_batches_tracked.item()
        batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        hand_on = (not self.training) or self.track_running_stats
        rmean = self.running_mean if hand_on else None
        rvar = self.running_var if hand_on else None
        if batch_stats:
            if x.shape[0] * x.shape[2] * x.shape[3] == 1:
                raise ValueError("Expected more than 1 value per channel when training, "
                                 f"got input size {x.size()}")
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        self._check_sizes(x.shape[1], [("running_mean", rmean), ("running_var", rvar),
                                       ("weight", self.weight), ("bias", self.bias)])
        if batch_stats:
            var, mean = torch.var_mean(x, dim=(0, 2, 3), correction=0)
            y = (x - _per_channel(mean)) * _per_channel(torch.rsqrt(var + self.eps))
            m = x.numel() // x.shape[1] if x.shape[1] else 0
            if rmean is not None and m > 0:
                with torch.no_grad():
                    rmean.lerp_(mean, alpha)
                    rvar.lerp_(var * m / (m - 1), alpha)
        else:
            y = (x - _per_channel(rmean)) * _per_channel(torch.rsqrt(rvar + self.eps))
        if self.weight is not None:
            y = y * _per_channel(self.weight)
        if self.bias is not None:
            y = y + _per_channel(self.bias)
        return y
