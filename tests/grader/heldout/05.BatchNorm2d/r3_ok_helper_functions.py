# expect: pass
def _per_channel(t):
    return t.reshape(1, -1, 1, 1)


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
        if self.affine:
            self.weight = nn.Parameter(torch.empty(num_features, device=device, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        if self.affine and bias:
            self.bias = nn.Parameter(torch.empty(num_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", torch.empty(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var", torch.empty(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", torch.tensor(0, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        if self.track_running_stats:
            with torch.no_grad():
                self.running_mean.fill_(0.0)
                self.running_var.fill_(1.0)
                self.num_batches_tracked.fill_(0)

    def reset_parameters(self):
        self.reset_running_stats()
        with torch.no_grad():
            if self.weight is not None:
                self.weight.fill_(1.0)
            if self.bias is not None:
                self.bias.fill_(0.0)

    def extra_repr(self):
        s = f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"
        s += f", affine={self.affine}, bias={self.bias is not None}"
        s += f", track_running_stats={self.track_running_stats}"
        return s

    def _update_factor(self):
        if self.momentum is None:
            return 1.0 / float(self.num_batches_tracked)
        return self.momentum

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(f"expected 4D input (got {x.dim()}D input)")
        factor = 0.0
        if self.training and self.track_running_stats:
            if self.num_batches_tracked is not None:
                self.num_batches_tracked.add_(1)
                factor = self._update_factor()

        if self.training:
            use_batch_stats = True
        else:
            use_batch_stats = self.running_mean is None and self.running_var is None

        if self.training and not self.track_running_stats:
            mean_buf, var_buf = None, None
        else:
            mean_buf, var_buf = self.running_mean, self.running_var

        n = x.size(0) * x.size(2) * x.size(3)
        if use_batch_stats:
            if n == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        else:
            if self.eps < 0:
                raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        C = x.size(1)
        for label, t in [("running_mean", mean_buf), ("running_var", var_buf),
                         ("weight", self.weight), ("bias", self.bias)]:
            if t is not None and t.numel() != C:
                raise RuntimeError(f"{label} should contain {C} elements not {t.numel()}")

        if use_batch_stats:
            s = x.sum(dim=(0, 2, 3))
            mean = s / n
            xc = x - _per_channel(mean)
            var_b = (xc ** 2).sum(dim=(0, 2, 3)) / n
            xhat = xc / torch.sqrt(_per_channel(var_b) + self.eps)
            if mean_buf is not None and n > 0:
                with torch.no_grad():
                    mean_buf.copy_(factor * mean + (1 - factor) * mean_buf)
                    var_buf.copy_(factor * var_b * (n / (n - 1)) + (1 - factor) * var_buf)
        else:
            xhat = (x - _per_channel(mean_buf)) / torch.sqrt(_per_channel(var_buf) + self.eps)

        if self.weight is None:
            return xhat
        y = xhat * _per_channel(self.weight)
        if self.bias is not None:
            y = y + _per_channel(self.bias)
        return y
