# expect: pass
class BatchNorm2d(nn.Module):
    """My BatchNorm2d for exercise 1."""

    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        fk = {"device": device, "dtype": dtype}
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        self.register_parameter("weight", nn.Parameter(torch.ones(num_features, **fk)) if affine else None)
        self.register_parameter("bias", nn.Parameter(torch.zeros(num_features, **fk)) if affine and bias else None)
        self.register_buffer("running_mean", torch.zeros(num_features, **fk) if track_running_stats else None)
        self.register_buffer("running_var", torch.ones(num_features, **fk) if track_running_stats else None)
        self.register_buffer("num_batches_tracked",
                             torch.tensor(0, dtype=torch.long, device=device) if track_running_stats else None)

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
            raise ValueError("expected 4D input (got %dD input)" % x.dim())
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
        batch_mode = self.training or (self.running_mean is None and self.running_var is None)
        buffers_used = not self.training or self.track_running_stats
        C = x.shape[1]
        m = x.numel() // C if C > 0 else 0
        if batch_mode and x.shape[0] * x.shape[2] * x.shape[3] == 1:
            raise ValueError("Expected more than 1 value per channel when training, got input size %s" % (x.size(),))
        if batch_mode and self.eps <= 0:
            raise ValueError("batch_norm eps must be positive during training, but got %s" % self.eps)
        if not batch_mode and self.eps < 0:
            raise ValueError("batch_norm eps must be non-negative, but got %s" % self.eps)
        if buffers_used:
            for name in ("running_mean", "running_var"):
                buf = getattr(self, name)
                if buf is not None and buf.numel() != C:
                    raise RuntimeError("%s should contain %d elements not %d" % (name, C, buf.numel()))
        for name in ("weight", "bias"):
            p = getattr(self, name)
            if p is not None and p.numel() != C:
                raise RuntimeError("%s should contain %d elements not %d" % (name, C, p.numel()))

        if batch_mode:
            var, mean = torch.var_mean(x, dim=(0, 2, 3), correction=0, keepdim=True)
            if buffers_used and self.running_mean is not None and m > 0:
                if self.momentum is None:
                    a = 1.0 / self.num_batches_tracked.item()
                else:
                    a = self.momentum
                with torch.no_grad():
                    self.running_mean.mul_(1 - a).add_(mean.view(-1), alpha=a)
                    self.running_var.mul_(1 - a).add_(var.view(-1) * (m / (m - 1)), alpha=a)
        else:
            mean = self.running_mean.view(1, C, 1, 1)
            var = self.running_var.view(1, C, 1, 1)
        y = (x - mean) / (var + self.eps).sqrt()
        if self.weight is not None:
            y = y * self.weight.view(1, C, 1, 1)
        if self.bias is not None:
            y = y + self.bias.view(1, C, 1, 1)
        return y
