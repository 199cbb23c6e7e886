# expect: dtype-changed
def _check_sizes(channels, named):
    for name, t in named:
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")


def _affine(y, weight, bias):
    if weight is not None:
        y = y * weight[None, :, None, None]
    if bias is not None:
        y = y + bias[None, :, None, None]
    return y


def _normalize(x, mean, var, eps):
    return (x - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + eps)


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
        opts = {"device": device, "dtype": dtype}
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features, **opts))
            if bias:
                self.bias = nn.Parameter(torch.zeros(num_features, **opts))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, device=device))
            self.register_buffer("running_var", torch.ones(num_features, device=device))
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
        alpha = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked += 1
            if self.momentum is None:
                alpha = 1.0 / float(self.num_batches_tracked)
        have_buffers = self.running_mean is not None or self.running_var is not None
        use_batch_stats = self.training or not have_buffers
        update = self.training and self.track_running_stats and have_buffers
        C = x.shape[1]
        if use_batch_stats:
            if x.shape[0] * x.shape[2] * x.shape[3] == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        passed = (self.running_mean, self.running_var) if (not self.training or self.track_running_stats) else (None, None)
        _check_sizes(C, [("running_mean", passed[0]), ("running_var", passed[1]),
                         ("weight", self.weight), ("bias", self.bias)])
        if not use_batch_stats:
            return _affine(_normalize(x, self.running_mean, self.running_var, self.eps), self.weight, self.bias)
        if x.numel() == 0:
            return _affine(x.clone(), self.weight, self.bias)
        mean = x.mean(dim=(0, 2, 3))
        var = ((x - mean[None, :, None, None]) ** 2).mean(dim=(0, 2, 3))
        if update:
            n = x.numel() // C
            with torch.no_grad():
                self.running_mean.copy_((1 - alpha) * self.running_mean + alpha * mean)
                self.running_var.copy_((1 - alpha) * self.running_var + alpha * var * n / (n - 1))
        return _affine(_normalize(x, mean, var, self.eps), self.weight, self.bias)
