# expect: untracked-uses-running
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
        kw = {"device": device, "dtype": dtype}
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features, **kw))
            if bias:
                self.bias = nn.Parameter(torch.zeros(num_features, **kw))
            else:
                self.register_parameter("bias", None)
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

    def reset_running_stats(self):
        if self.running_mean is not None:
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
        has_stats = self.running_mean is not None
        if self.training and has_stats:
            self.num_batches_tracked.add_(1)
        C = x.size(1)
        if self.training or not has_stats:
            if x.size(0) * x.size(2) * x.size(3) == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        for name in ["running_mean", "running_var", "weight", "bias"]:
            t = getattr(self, name)
            if t is not None and t.numel() != C:
                raise RuntimeError(f"{name} should contain {C} elements not {t.numel()}")
        if self.training or not has_stats:
            mean = x.mean(dim=(0, 2, 3))
            var = ((x - mean.reshape(1, C, 1, 1)) ** 2).mean(dim=(0, 2, 3))
            if self.training and has_stats and x.numel() > 0:
                n = x.numel() // C
                f = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
                with torch.no_grad():
                    self.running_mean.mul_(1 - f).add_(f * mean)
                    self.running_var.mul_(1 - f).add_(f * var * (n / (n - 1)))
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean.reshape(1, C, 1, 1)) / torch.sqrt(var.reshape(1, C, 1, 1) + self.eps)
        if self.weight is not None:
            y = y * self.weight.reshape(1, C, 1, 1)
        if self.bias is not None:
            y = y + self.bias.reshape(1, C, 1, 1)
        return y
