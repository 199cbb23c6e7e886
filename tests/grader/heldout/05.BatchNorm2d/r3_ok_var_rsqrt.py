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
        w = b = None
        if affine:
            w = nn.Parameter(torch.ones(num_features, device=device, dtype=dtype))
            if bias:
                b = nn.Parameter(torch.zeros(num_features, device=device, dtype=dtype))
        self.register_parameter("weight", w)
        self.register_parameter("bias", b)
        rm = rv = nbt = None
        if track_running_stats:
            rm = torch.zeros(num_features, device=device, dtype=dtype)
            rv = torch.ones(num_features, device=device, dtype=dtype)
            nbt = torch.tensor(0, dtype=torch.long, device=device)
        self.register_buffer("running_mean", rm)
        self.register_buffer("running_var", rv)
        self.register_buffer("num_batches_tracked", nbt)

    def extra_repr(self):
        return (
            "{}, eps={}, momentum={}, affine={}, bias={}, track_running_stats={}".format(
                self.num_features, self.eps, self.momentum, self.affine,
                self.bias is not None, self.track_running_stats))

    def reset_running_stats(self):
        if not self.track_running_stats:
            return
        self.running_mean.zero_()
        self.running_var.fill_(1)
        self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            nn.init.ones_(self.weight)
            if self.bias is not None:
                nn.init.zeros_(self.bias)

    def forward(self, x):
        if x.ndim != 4:
            raise ValueError(f"expected 4D input (got {x.ndim}D input)")
        training, track = self.training, self.track_running_stats
        if training and track and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
        use_batch = training or self.running_mean is None
        if use_batch:
            if x.shape[0] * x.shape[2] * x.shape[3] == 1:
                raise ValueError("Expected more than 1 value per channel when training, got input size " + str(x.size()))
            if self.eps <= 0:
                raise ValueError("batch_norm eps must be positive during training, but got " + str(self.eps))
        elif self.eps < 0:
            raise ValueError("batch_norm eps must be non-negative, but got " + str(self.eps))
        stats_in = self.running_mean is not None and (not training or track)
        c = x.shape[1]
        checks = []
        if stats_in:
            checks += [("running_mean", self.running_mean), ("running_var", self.running_var)]
        checks += [("weight", self.weight), ("bias", self.bias)]
        for nm, t in checks:
            if t is not None and t.shape[0] != c:
                raise RuntimeError(f"{nm} should contain {c} elements not {t.shape[0]}")

        if use_batch:
            mean = x.mean(dim=(0, 2, 3), keepdim=True)
            var = x.var(dim=(0, 2, 3), unbiased=False, keepdim=True)
            y = (x - mean) * torch.rsqrt(var + self.eps)
            if stats_in and training and x.numel() > 0:
                n = x.numel() / c
                if self.momentum is None:
                    a = 1.0 / float(self.num_batches_tracked)
                else:
                    a = self.momentum
                with torch.no_grad():
                    self.running_mean.copy_((1 - a) * self.running_mean + a * mean.flatten())
                    self.running_var.copy_((1 - a) * self.running_var + a * var.flatten() * n / (n - 1))
        else:
            mean = self.running_mean.reshape(1, -1, 1, 1)
            var = self.running_var.reshape(1, -1, 1, 1)
            y = (x - mean) * torch.rsqrt(var + self.eps)
        if self.weight is not None:
            y = y * self.weight.reshape(1, -1, 1, 1)
        if self.bias is not None:
            y = y + self.bias.reshape(1, -1, 1, 1)
        return y
