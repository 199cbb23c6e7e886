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
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features, device=device, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        if affine and bias:
            self.bias = nn.Parameter(torch.zeros(num_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var", torch.ones(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

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
        N, C, H, W = x.shape
        m = N * H * W
        # an empty batch carries no information: do not count it
        tracked = self.training and self.track_running_stats and self.num_batches_tracked is not None and m > 0
        if tracked:
            self.num_batches_tracked.add_(1)
        batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        if batch_stats:
            if m == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        handed = not self.training or self.track_running_stats
        for k in ("running_mean", "running_var", "weight", "bias"):
            t = getattr(self, k)
            if k.startswith("running") and not handed:
                continue
            if t is not None and t.numel() != C:
                raise RuntimeError(f"{k} should contain {C} elements not {t.numel()}")
        if batch_stats:
            mean = x.mean(dim=(0, 2, 3), keepdim=True)
            var = (x - mean).pow(2).mean(dim=(0, 2, 3), keepdim=True)
            if tracked:
                a = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
                with torch.no_grad():
                    self.running_mean.copy_((1 - a) * self.running_mean + a * mean.view(C))
                    self.running_var.copy_((1 - a) * self.running_var + a * var.view(C) * m / (m - 1))
        else:
            mean = self.running_mean.view(1, C, 1, 1)
            var = self.running_var.view(1, C, 1, 1)
        y = (x - mean) / torch.sqrt(var + self.eps)
        if self.weight is not None:
            y = y * self.weight.view(1, C, 1, 1)
        if self.bias is not None:
            y = y + self.bias.view(1, C, 1, 1)
        return y
