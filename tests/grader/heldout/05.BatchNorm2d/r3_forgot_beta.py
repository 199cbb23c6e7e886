# expect: ignores-affine
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
        factory = dict(device=device, dtype=dtype)
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features, **factory))
        else:
            self.register_parameter("weight", None)
        if affine and bias:
            self.bias = nn.Parameter(torch.zeros(num_features, **factory))
        else:
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **factory))
            self.register_buffer("running_var", torch.ones(num_features, **factory))
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
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
        use_batch = self.training or self.running_mean is None
        C = x.size(1)
        if use_batch and x.size(0) * x.size(2) * x.size(3) == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
        if use_batch and self.eps <= 0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        if not use_batch and self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        handed = self.running_mean is not None and (not self.training or self.track_running_stats)
        for nm, t in [("running_mean", self.running_mean if handed else None),
                      ("running_var", self.running_var if handed else None),
                      ("weight", self.weight), ("bias", self.bias)]:
            if t is not None and t.numel() != C:
                raise RuntimeError(f"{nm} should contain {C} elements not {t.numel()}")
        if use_batch:
            mean = x.mean(dim=(0, 2, 3), keepdim=True)
            var = ((x - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
            if handed and self.training and x.numel() > 0:
                n = x.numel() / C
                a = self.momentum if self.momentum is not None else 1.0 / float(self.num_batches_tracked)
                with torch.no_grad():
                    self.running_mean.copy_((1 - a) * self.running_mean + a * mean.view(-1))
                    self.running_var.copy_((1 - a) * self.running_var + a * var.view(-1) * n / (n - 1))
        else:
            mean = self.running_mean.view(1, -1, 1, 1)
            var = self.running_var.view(1, -1, 1, 1)
        x_hat = (x - mean) / torch.sqrt(var + self.eps)
        if self.affine:
            return self.weight.view(1, -1, 1, 1) * x_hat
        return x_hat
