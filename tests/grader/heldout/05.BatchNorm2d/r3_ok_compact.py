# expect: pass
class BatchNorm2d(nn.Module):
    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        new = lambda v: torch.full((num_features,), v, device=device, dtype=dtype)
        self.weight = nn.Parameter(new(1.0)) if affine else None
        self.bias = nn.Parameter(new(0.0)) if affine and bias else None
        self.register_buffer("running_mean", new(0.0) if track_running_stats else None)
        self.register_buffer("running_var", new(1.0) if track_running_stats else None)
        self.register_buffer("num_batches_tracked",
                             torch.tensor(0, device=device) if track_running_stats else None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.zero_(); self.running_var.fill_(1); self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            with torch.no_grad():
                self.weight.fill_(1)
                if self.bias is not None:
                    self.bias.zero_()

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(f"expected 4D input (got {x.dim()}D input)")
        update = self.training and self.track_running_stats and self.num_batches_tracked is not None
        if update:
            self.num_batches_tracked.add_(1)
        batch = self.training or self.running_var is None
        C, m = x.shape[1], x.shape[0] * x.shape[2] * x.shape[3]
        if batch and m == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
        if batch and self.eps <= 0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        if not batch and self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        named = [("weight", self.weight), ("bias", self.bias)]
        if not self.training or self.track_running_stats:
            named = [("running_mean", self.running_mean), ("running_var", self.running_var)] + named
        for k, t in named:
            if t is not None and len(t) != C:
                raise RuntimeError(f"{k} should contain {C} elements not {len(t)}")
        if batch:
            mu = x.mean((0, 2, 3), keepdim=True)
            var = (x - mu).square().mean((0, 2, 3), keepdim=True)
            if update and m > 0:
                a = self.momentum if self.momentum is not None else 1 / self.num_batches_tracked.item()
                self.running_mean.data = (1 - a) * self.running_mean.data + a * mu.detach().flatten()
                self.running_var.data = (1 - a) * self.running_var.data + a * var.detach().flatten() * m / (m - 1)
        else:
            mu, var = self.running_mean[None, :, None, None], self.running_var[None, :, None, None]
        y = (x - mu) / torch.sqrt(var + self.eps)
        if self.weight is not None:
            y = y * self.weight[None, :, None, None]
        if self.bias is not None:
            y = y + self.bias[None, :, None, None]
        return y
