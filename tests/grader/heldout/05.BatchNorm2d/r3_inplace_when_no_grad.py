# expect: input-mutated
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
            if bias:
                self.bias = nn.Parameter(torch.zeros(num_features, device=device, dtype=dtype))
            else:
                self.register_parameter("bias", None)
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
        f = 0.0
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            f = self.momentum if self.momentum is not None else 1.0 / float(self.num_batches_tracked)
        batch = self.training or (self.running_mean is None and self.running_var is None)
        C = x.shape[1]
        if batch:
            if x.shape[0] * x.shape[2] * x.shape[3] == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        rm = self.running_mean if (not self.training or self.track_running_stats) else None
        rv = self.running_var if (not self.training or self.track_running_stats) else None
        for nm, t in (("running_mean", rm), ("running_var", rv), ("weight", self.weight), ("bias", self.bias)):
            if t is not None and t.numel() != C:
                raise RuntimeError(f"{nm} should contain {C} elements not {t.numel()}")
        shp = (1, C, 1, 1)
        if batch:
            mean = x.mean(dim=(0, 2, 3))
            var = (x - mean.view(shp)).pow(2).mean(dim=(0, 2, 3))
            m = x.numel() // C
            if rm is not None and m > 0:
                with torch.no_grad():
                    rm.mul_(1 - f).add_(f * mean)
                    rv.mul_(1 - f).add_(f * var * m / (m - 1))
        else:
            mean, var = rm, rv
        scale = torch.rsqrt(var + self.eps)
        if self.weight is not None:
            scale = scale * self.weight
        shift = -mean * scale
        if self.bias is not None:
            shift = shift + self.bias
        if not x.requires_grad and not scale.requires_grad:
            # no autograd needed: save memory and work in place
            return x.mul_(scale.view(shp)).add_(shift.view(shp))
        y = (x - mean.view(shp)) / torch.sqrt(var.view(shp) + self.eps)
        if self.weight is not None:
            y = y * self.weight.view(shp)
        if self.bias is not None:
            y = y + self.bias.view(shp)
        return y
