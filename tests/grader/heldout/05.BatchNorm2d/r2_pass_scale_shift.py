# expect: pass
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
            self.weight = nn.Parameter(torch.empty(num_features, device=device, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        if affine and bias:
            self.bias = nn.Parameter(torch.empty(num_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.empty(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var", torch.empty(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        if self.track_running_stats:
            nn.init.zeros_(self.running_mean)
            nn.init.ones_(self.running_var)
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
        C = x.shape[1]
        w = self.weight if self.weight is not None else None
        b = self.bias
        ema = self.momentum if self.momentum is not None else 0.0
        if self.training and self.track_running_stats:
            if self.num_batches_tracked is not None:
                self.num_batches_tracked += 1
                ema = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
        have_buffers = self.running_mean is not None or self.running_var is not None
        training_stats = self.training or not have_buffers
        pass_buffers = not self.training or self.track_running_stats
        if training_stats:
            if x.numel() // C == 1 if C else False:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if not self.eps > 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        if pass_buffers:
            for nm in ("running_mean", "running_var"):
                t = getattr(self, nm)
                if t is not None and t.numel() != C:
                    raise RuntimeError(f"{nm} should contain {C} elements not {t.numel()}")
        for nm, t in (("weight", w), ("bias", b)):
            if t is not None and t.numel() != C:
                raise RuntimeError(f"{nm} should contain {C} elements not {t.numel()}")

        if training_stats and x.numel() == 0:
            mean, var = x.new_zeros(C), x.new_ones(C)   # empty batch: nothing to learn from it
        elif training_stats:
            mean = x.mean((0, 2, 3))
            var = ((x - mean.reshape(1, C, 1, 1)) ** 2).mean((0, 2, 3))
            if pass_buffers and self.running_mean is not None and x.numel() > 0:
                n = x.numel() // C
                with torch.no_grad():
                    self.running_mean.mul_(1 - ema).add_(ema * mean)
                    self.running_var.mul_(1 - ema).add_(ema * n / (n - 1) * var)
        else:
            mean, var = self.running_mean, self.running_var
        scale = torch.rsqrt(var + self.eps)
        if w is not None:
            scale = scale * w
        y = (x - mean.reshape(1, C, 1, 1)) * scale.reshape(1, C, 1, 1)
        if b is not None:
            y = y + b.reshape(1, C, 1, 1)
        return y
