# expect: missing-eps
def _normalize(x, mean, var, weight, bias, eps=0.0):
    shape = (1, -1, 1, 1)
    y = (x - mean.reshape(shape)) * torch.rsqrt(var.reshape(shape) + eps)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


class BatchNorm2d(nn.Module):
    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        kw = dict(device=device, dtype=dtype)
        self.register_parameter("weight", nn.Parameter(torch.ones(num_features, **kw)) if affine else None)
        self.register_parameter("bias", nn.Parameter(torch.zeros(num_features, **kw)) if affine and bias else None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **kw))
            self.register_buffer("running_var", torch.ones(num_features, **kw))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1.0)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.weight is not None:
            nn.init.ones_(self.weight)
        if self.bias is not None:
            nn.init.zeros_(self.bias)

    def extra_repr(self):
        return "{}, eps={}, momentum={}, affine={}, bias={}, track_running_stats={}".format(
            self.num_features, self.eps, self.momentum, self.affine, self.bias is not None,
            self.track_running_stats)

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(f"expected 4D input (got {x.dim()}D input)")
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                momentum = 1.0 / self.num_batches_tracked.item()
        batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        if batch_stats:
            if x.numel() // x.shape[1] == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        handed = not self.training or self.track_running_stats
        for name, t in (("running_mean", self.running_mean if handed else None),
                        ("running_var", self.running_var if handed else None),
                        ("weight", self.weight), ("bias", self.bias)):
            if t is not None and t.numel() != x.shape[1]:
                raise RuntimeError(f"{name} should contain {x.shape[1]} elements not {t.numel()}")
        if batch_stats and x.numel() == 0:
            empty = x.new_zeros(x.shape[1])
            return _normalize(x, empty, empty + 1, self.weight, self.bias, self.eps)
        if batch_stats:
            var, mean = torch.var_mean(x, dim=(0, 2, 3), correction=0)
            if self.training and self.track_running_stats and self.running_mean is not None:
                n = x.numel() // x.shape[1]
                with torch.no_grad():
                    self.running_mean.lerp_(mean, momentum)
                    self.running_var.lerp_(var * (n / (n - 1)), momentum)
            return _normalize(x, mean, var, self.weight, self.bias, self.eps)
        return _normalize(x, self.running_mean, self.running_var, self.weight, self.bias)
