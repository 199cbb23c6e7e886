# expect: no-cumulative-average
class BatchNorm2d(nn.Module):
    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        opt = {"device": device, "dtype": dtype}
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features, **opt))
            self.bias = nn.Parameter(torch.zeros(num_features, **opt)) if bias else None
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        for name, val in (("running_mean", 0.0), ("running_var", 1.0)):
            self.register_buffer(name, torch.full((num_features,), val, **opt) if track_running_stats else None)
        self.register_buffer("num_batches_tracked",
                             torch.tensor(0, dtype=torch.long, device=device) if track_running_stats else None)

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

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(f"expected 4D input (got {x.dim()}D input)")
        upd = self.training and self.track_running_stats and self.num_batches_tracked is not None
        if upd:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                # average over the batches seen so far, including the initial value
                w = 1.0 / (self.num_batches_tracked.item() + 1)
            else:
                w = self.momentum
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        C = x.shape[1]
        if use_batch:
            if x.numel() // max(C, 1) == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        if not self.training or self.track_running_stats:
            for nm in ("running_mean", "running_var"):
                b = getattr(self, nm)
                if b is not None and b.numel() != C:
                    raise RuntimeError(f"{nm} should contain {C} elements not {b.numel()}")
        for nm in ("weight", "bias"):
            b = getattr(self, nm)
            if b is not None and b.numel() != C:
                raise RuntimeError(f"{nm} should contain {C} elements not {b.numel()}")
        if use_batch:
            mu = x.mean(dim=(0, 2, 3), keepdim=True)
            d = x - mu
            var = (d * d).mean(dim=(0, 2, 3), keepdim=True)
            xh = d / torch.sqrt(var + self.eps)
            m = x.numel() // C
            if upd and m > 0:
                with torch.no_grad():
                    self.running_mean.copy_(self.running_mean + w * (mu.flatten() - self.running_mean))
                    self.running_var.copy_(self.running_var + w * (var.flatten() * m / (m - 1) - self.running_var))
        else:
            xh = (x - self.running_mean.view(1, -1, 1, 1)) / torch.sqrt(self.running_var.view(1, -1, 1, 1) + self.eps)
        if self.weight is not None:
            xh = xh * self.weight.view(1, -1, 1, 1)
        if self.bias is not None:
            xh = xh + self.bias.view(1, -1, 1, 1)
        return xh
