# expect: fail
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
        f = dict(device=device, dtype=dtype)
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features, **f))
        else:
            self.register_parameter("weight", None)
        if affine and bias:
            self.bias = nn.Parameter(torch.zeros(num_features, **f))
        else:
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **f))
            self.register_buffer("running_var", torch.ones(num_features, **f))
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
        if self.training and self.track_running_stats:
            self.num_batches_tracked.add_(1)
        C = x.shape[1]
        # validate the rest
        if C != self.num_features:
            raise RuntimeError(f"running_mean should contain {C} elements not {self.num_features}")
        use_batch = self.training or self.running_mean is None
        if use_batch and x.numel() // C == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
        if self.eps < 0 or (use_batch and self.eps == 0):
            raise ValueError(f"batch_norm eps must be positive, but got {self.eps}")
        if use_batch:
            mean = x.mean(dim=(0, 2, 3))
            var = (x - mean[None, :, None, None]).pow(2).mean(dim=(0, 2, 3))
            if self.training and self.track_running_stats and x.numel() > 0:
                m = x.numel() // C
                a = self.momentum if self.momentum is not None else 1.0 / float(self.num_batches_tracked)
                with torch.no_grad():
                    self.running_mean.lerp_(mean, a)
                    self.running_var.lerp_(var * m / (m - 1), a)
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[None, :, None, None]) * torch.rsqrt(var[None, :, None, None] + self.eps)
        if self.weight is not None:
            y = y * self.weight[None, :, None, None]
        if self.bias is not None:
            y = y + self.bias[None, :, None, None]
        return y
