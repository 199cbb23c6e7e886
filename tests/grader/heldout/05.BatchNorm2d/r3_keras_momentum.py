# expect: keras-momentum
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
        factory_kwargs = {"device": device, "dtype": dtype}
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features, **factory_kwargs))
            self.bias = nn.Parameter(torch.zeros(num_features, **factory_kwargs)) if bias else None
        else:
            self.weight = None
            self.bias = None
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **factory_kwargs))
            self.register_buffer("running_var", torch.ones(num_features, **factory_kwargs))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device))
        else:
            self.running_mean = None
            self.running_var = None
            self.num_batches_tracked = None

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
            self.num_batches_tracked += 1
        batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        give_buffers = not self.training or self.track_running_stats
        C = x.size(1)
        if batch_stats:
            if x.size(0) * x.size(2) * x.size(3) == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        pairs = [("weight", self.weight), ("bias", self.bias)]
        if give_buffers:
            pairs = [("running_mean", self.running_mean), ("running_var", self.running_var)] + pairs
        for nm, t in pairs:
            if t is not None and t.numel() != C:
                raise RuntimeError(f"{nm} should contain {C} elements not {t.numel()}")
        if batch_stats:
            mean = x.mean(dim=(0, 2, 3))
            var = ((x - mean.view(1, -1, 1, 1)) ** 2).mean(dim=(0, 2, 3))
            n = x.numel() // C
            if give_buffers and self.running_mean is not None and n > 0:
                if self.momentum is None:
                    mom = 1.0 - 1.0 / float(self.num_batches_tracked)
                else:
                    mom = self.momentum
                # running = momentum * running + (1 - momentum) * batch
                with torch.no_grad():
                    self.running_mean.copy_(mom * self.running_mean + (1 - mom) * mean)
                    self.running_var.copy_(mom * self.running_var + (1 - mom) * var * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean.view(1, -1, 1, 1)) / torch.sqrt(var.view(1, -1, 1, 1) + self.eps)
        if self.weight is not None:
            y = y * self.weight.view(1, -1, 1, 1)
        if self.bias is not None:
            y = y + self.bias.view(1, -1, 1, 1)
        return y
