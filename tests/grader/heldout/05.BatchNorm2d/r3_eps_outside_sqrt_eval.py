# expect: eps-outside-sqrt
class BatchNorm2d(nn.Module):
    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        kw = dict(device=device, dtype=dtype)
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        self.register_parameter("weight", nn.Parameter(torch.ones(num_features, **kw)) if affine else None)
        self.register_parameter("bias", nn.Parameter(torch.zeros(num_features, **kw)) if affine and bias else None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **kw))
            self.register_buffer("running_var", torch.ones(num_features, **kw))
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

    def _affine(self, y):
        if self.weight is not None:
            y = y * self.weight[None, :, None, None]
        if self.bias is not None:
            y = y + self.bias[None, :, None, None]
        return y

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(f"expected 4D input (got {x.dim()}D input)")
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
        C = x.shape[1]
        use_running = not self.training and self.running_mean is not None
        if not use_running:
            if x.shape[0] * x.shape[2] * x.shape[3] == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        tensors = [("weight", self.weight), ("bias", self.bias)]
        if self.running_mean is not None and (use_running or self.track_running_stats):
            tensors = [("running_mean", self.running_mean), ("running_var", self.running_var)] + tensors
        for name, t in tensors:
            if t is not None and t.numel() != C:
                raise RuntimeError(f"{name} should contain {C} elements not {t.numel()}")

        if use_running:
            # inference: precompute the std of the running variance
            std = self.running_var.sqrt()[None, :, None, None] + self.eps
            return self._affine((x - self.running_mean[None, :, None, None]) / std)

        mean = x.mean(dim=(0, 2, 3))
        xc = x - mean[None, :, None, None]
        var = (xc * xc).mean(dim=(0, 2, 3))
        out = xc / torch.sqrt(var[None, :, None, None] + self.eps)
        n = x.numel() // C
        if self.training and self.track_running_stats and n > 0:
            a = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
            with torch.no_grad():
                self.running_mean.copy_((1 - a) * self.running_mean + a * mean)
                self.running_var.copy_((1 - a) * self.running_var + a * var * (n / (n - 1)))
        return self._affine(out)
