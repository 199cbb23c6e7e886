# expect: one-pass-variance
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
            self.weight, self.bias = None, None
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var", torch.ones(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

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
        alpha = 0.0
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked += 1
            alpha = self.momentum if self.momentum is not None else 1.0 / float(self.num_batches_tracked)
        batch = self.training or (self.running_mean is None and self.running_var is None)
        C = x.shape[1]
        if batch:
            if x.shape[0] * x.shape[2] * x.shape[3] == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        bufs = (not self.training) or self.track_running_stats
        for nm, t in (("running_mean", self.running_mean if bufs else None),
                      ("running_var", self.running_var if bufs else None),
                      ("weight", self.weight), ("bias", self.bias)):
            if t is not None and t.numel() != C:
                raise RuntimeError(f"{nm} should contain {C} elements not {t.numel()}")
        if batch:
            ex = x.mean(dim=(0, 2, 3))
            ex2 = (x * x).mean(dim=(0, 2, 3))
            var = ex2 - ex * ex              # Var[x] = E[x^2] - E[x]^2
            mean = ex
            n = x.numel() // C
            if bufs and self.running_mean is not None and n > 0:
                with torch.no_grad():
                    self.running_mean.mul_(1 - alpha).add_(alpha * mean)
                    self.running_var.mul_(1 - alpha).add_(alpha * var * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + self.eps)
        if self.weight is not None:
            y = y * self.weight[None, :, None, None]
        if self.bias is not None:
            y = y + self.bias[None, :, None, None]
        return y
