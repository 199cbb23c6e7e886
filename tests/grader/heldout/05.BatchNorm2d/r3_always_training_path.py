# expect: batch-stats-in-eval, updates-in-eval
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
            self.bias = nn.Parameter(torch.zeros(num_features, device=device, dtype=dtype)) if bias else None
        else:
            self.register_parameter("weight", None)
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
        track = self.track_running_stats and self.running_mean is not None
        if track:
            self.num_batches_tracked += 1
        C = x.shape[1]
        if self.training or self.running_mean is None:
            if x.shape[0] * x.shape[2] * x.shape[3] == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        tensors = [("weight", self.weight), ("bias", self.bias)]
        if track or (self.running_mean is not None and not self.training):
            tensors = [("running_mean", self.running_mean), ("running_var", self.running_var)] + tensors
        for nm, t in tensors:
            if t is not None and t.numel() != C:
                raise RuntimeError(f"{nm} should contain {C} elements not {t.numel()}")
        mean = x.mean(dim=(0, 2, 3))
        centered = x - mean.view(1, C, 1, 1)
        var = centered.pow(2).mean(dim=(0, 2, 3))
        if track and x.numel() > 0:
            n = x.numel() // C
            a = self.momentum if self.momentum is not None else 1 / self.num_batches_tracked.item()
            with torch.no_grad():
                self.running_mean.mul_(1 - a).add_(a * mean)
                self.running_var.mul_(1 - a).add_(a * var * n / (n - 1))
        y = centered / torch.sqrt(var.view(1, C, 1, 1) + self.eps)
        if self.weight is not None:
            y = y * self.weight.view(1, C, 1, 1)
        if self.bias is not None:
            y = y + self.bias.view(1, C, 1, 1)
        return y
