# expect: missing-eps
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
        dd = {"device": device, "dtype": dtype}
        if self.affine:
            self.weight = nn.Parameter(torch.empty(num_features, **dd))
            self.bias = nn.Parameter(torch.empty(num_features, **dd)) if bias else None
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", torch.empty(num_features, **dd))
            self.register_buffer("running_var", torch.empty(num_features, **dd))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

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
        return ("{num_features}, eps={eps}, momentum={momentum}, affine={affine}, bias={b}, "
                "track_running_stats={track_running_stats}").format(b=self.bias is not None, **vars(self))

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError("expected 4D input (got {}D input)".format(x.dim()))
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            if self.num_batches_tracked is not None:
                self.num_batches_tracked.add_(1)
                if self.momentum is None:
                    factor = 1.0 / float(self.num_batches_tracked)
        batch = self.training or (self.running_mean is None and self.running_var is None)
        C = x.size(1)
        if batch:
            if x.size(0) * x.size(2) * x.size(3) == 1:
                raise ValueError("Expected more than 1 value per channel when training, got input size {}".format(x.size()))
            if self.eps <= 0:
                raise ValueError("batch_norm eps must be positive during training, but got {}".format(self.eps))
        elif self.eps < 0:
            raise ValueError("batch_norm eps must be non-negative, but got {}".format(self.eps))
        rm = self.running_mean if (not self.training or self.track_running_stats) else None
        rv = self.running_var if (not self.training or self.track_running_stats) else None
        for name, t in (("running_mean", rm), ("running_var", rv), ("weight", self.weight), ("bias", self.bias)):
            if t is not None and t.numel() != C:
                raise RuntimeError("{} should contain {} elements not {}".format(name, C, t.numel()))
        if batch:
            mu = x.mean(dim=(0, 2, 3), keepdim=True)
            sq = (x - mu) ** 2
            var = sq.mean(dim=(0, 2, 3), keepdim=True)
            # batch variance is never zero for a real batch
            x_hat = (x - mu) / var.sqrt()
            if rm is not None and x.shape[0] > 0:
                n = sq.numel() / C
                with torch.no_grad():
                    rm.copy_((1 - factor) * rm + factor * mu.squeeze())
                    rv.copy_((1 - factor) * rv + factor * var.squeeze() * n / (n - 1))
        else:
            x_hat = (x - rm.reshape(1, -1, 1, 1)) / (rv.reshape(1, -1, 1, 1) + self.eps).sqrt()
        if self.weight is not None:
            x_hat = x_hat * self.weight.reshape(1, -1, 1, 1)
        if self.bias is not None:
            x_hat = x_hat + self.bias.reshape(1, -1, 1, 1)
        return x_hat
