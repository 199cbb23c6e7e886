# expect: batch-count-wrong
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
        self.register_parameter("weight", nn.Parameter(torch.ones(num_features, device=device, dtype=dtype)) if affine else None)
        self.register_parameter("bias", nn.Parameter(torch.zeros(num_features, device=device, dtype=dtype)) if affine and bias else None)
        self.register_buffer("running_mean", torch.zeros(num_features, device=device, dtype=dtype) if track_running_stats else None)
        self.register_buffer("running_var", torch.ones(num_features, device=device, dtype=dtype) if track_running_stats else None)
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device) if track_running_stats else None)

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
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(f"expected 4D input (got {x.dim()}D input)")
        update = self.training and self.track_running_stats and self.running_mean is not None
        if update:
            if self.momentum is None:
                # the counter is only needed for the cumulative average
                self.num_batches_tracked += 1
                alpha = 1.0 / float(self.num_batches_tracked)
            else:
                alpha = self.momentum
        batch = self.training or self.running_mean is None
        C = x.size(1)
        if batch and x.size(0) * x.size(2) * x.size(3) == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
        if batch and self.eps <= 0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        if not batch and self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        lst = [("weight", self.weight), ("bias", self.bias)]
        if self.running_mean is not None and (update or not self.training):
            lst = [("running_mean", self.running_mean), ("running_var", self.running_var)] + lst
        for k, t in lst:
            if t is not None and t.numel() != C:
                raise RuntimeError(f"{k} should contain {C} elements not {t.numel()}")
        if batch:
            mean = x.mean(dim=(0, 2, 3))
            var = torch.mean((x - mean[:, None, None]) ** 2, dim=(0, 2, 3))
            m = x.numel() // C
            if update and m > 0:
                with torch.no_grad():
                    self.running_mean.mul_(1 - alpha).add_(alpha * mean)
                    self.running_var.mul_(1 - alpha).add_(alpha * var * m / (m - 1))
        else:
            mean, var = self.running_mean, self.running_var
        out = (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
        if self.weight is not None:
            out = out * self.weight[:, None, None]
        if self.bias is not None:
            out = out + self.bias[:, None, None]
        return out
