# expect: running-stats-in-training
class BatchNorm2d(nn.Module):
    """Update the running estimates first, then normalize with them."""
    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dd = dict(device=device, dtype=dtype)
        self.weight = nn.Parameter(torch.ones(num_features, **dd)) if affine else None
        self.bias = nn.Parameter(torch.zeros(num_features, **dd)) if (affine and bias) else None
        self.register_buffer("running_mean", torch.zeros(num_features, **dd) if track_running_stats else None)
        self.register_buffer("running_var", torch.ones(num_features, **dd) if track_running_stats else None)
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
        tracking = self.training and self.track_running_stats
        if tracking:
            self.num_batches_tracked += 1
        if self.training or self.running_mean is None:
            if x.shape[0] * x.shape[2] * x.shape[3] == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        if self.training or self.running_mean is None:
            mean = x.mean(dim=(0, 2, 3))
            var = ((x - mean[None, :, None, None]) ** 2).mean(dim=(0, 2, 3))
            if tracking:
                if x.numel() > 0:
                    n = x.numel() // x.shape[1]
                    a = 1.0 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
                    with torch.no_grad():
                        self.running_mean.mul_(1 - a).add_(a * mean)
                        self.running_var.mul_(1 - a).add_(a * var * n / (n - 1))
                mean, var = self.running_mean, self.running_var
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + self.eps)
        if self.weight is not None:
            y = y * self.weight[None, :, None, None]
        if self.bias is not None:
            y = y + self.bias[None, :, None, None]
        return y
