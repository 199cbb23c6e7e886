# expect: pass
class BatchNorm2d(nn.Module):
    """BatchNorm2d: decide the case first, then do the arithmetic."""

    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        kw = dict(device=device, dtype=dtype)
        params = {"weight": affine, "bias": affine and bias}
        for name, present in params.items():
            if present:
                init = torch.ones if name == "weight" else torch.zeros
                self.register_parameter(name, nn.Parameter(init(num_features, **kw)))
            else:
                self.register_parameter(name, None)
        self.register_buffer("running_mean", torch.zeros(num_features, **kw) if track_running_stats else None)
        self.register_buffer("running_var", torch.ones(num_features, **kw) if track_running_stats else None)
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device)
                             if track_running_stats else None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            nn.init.ones_(self.weight)
            if self.bias is not None:
                nn.init.zeros_(self.bias)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")

    def _case(self):
        """('batch' or 'running', update buffers?)"""
        has_buffers = not (self.running_mean is None and self.running_var is None)
        if not self.training:
            return ("running", False) if has_buffers else ("batch", False)
        return "batch", self.track_running_stats and has_buffers

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(f"expected 4D input (got {x.dim()}D input)")
        stats, update = self._case()
        weight = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                weight = 1.0 / float(self.num_batches_tracked)
        N, C, H, W = x.shape
        if stats == "batch":
            if N * H * W == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        checks = []
        if stats == "running" or update:
            checks += [("running_mean", self.running_mean), ("running_var", self.running_var)]
        checks += [("weight", self.weight), ("bias", self.bias)]
        for name, t in checks:
            if t is not None and t.numel() != C:
                raise RuntimeError(f"{name} should contain {C} elements not {t.numel()}")
        if stats == "batch":
            mean = x.mean(dim=(0, 2, 3))
            centered = x - mean[:, None, None]
            var = centered.pow(2).mean(dim=(0, 2, 3))
            if update and x.numel() > 0:
                m = N * H * W
                with torch.no_grad():
                    self.running_mean.mul_(1.0 - weight).add_(weight * mean)
                    self.running_var.mul_(1.0 - weight).add_(weight * var * (m / (m - 1.0)))
        else:
            centered = x - self.running_mean[:, None, None]
            var = self.running_var
        out = centered * torch.rsqrt(var + self.eps)[:, None, None]
        if self.weight is not None:
            out = out * self.weight[:, None, None]
        if self.bias is not None:
            out = out + self.bias[:, None, None]
        return out
