# expect: pass
class BatchNorm2d(torch.nn.Module):
    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super(BatchNorm2d, self).__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dd = {"device": device, "dtype": dtype}
        self.register_parameter("weight", torch.nn.Parameter(torch.ones(num_features, **dd)) if affine else None)
        self.register_parameter("bias", torch.nn.Parameter(torch.zeros(num_features, **dd)) if (affine and bias) else None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **dd))
            self.register_buffer("running_var", torch.ones(num_features, **dd))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        if self.track_running_stats:
            with torch.no_grad():
                self.running_mean.fill_(0.0)
                self.running_var.fill_(1.0)
                self.num_batches_tracked.fill_(0)

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            with torch.no_grad():
                self.weight.fill_(1.0)
                if self.bias is not None:
                    self.bias.fill_(0.0)

    def extra_repr(self):
        s = "{}, eps={}, momentum={}, affine={}, bias={}, track_running_stats={}"
        return s.format(self.num_features, self.eps, self.momentum, self.affine,
                        self.bias is not None, self.track_running_stats)

    def forward(self, x):
        if len(x.shape) != 4:
            raise ValueError("expected 4D input (got %dD input)" % len(x.shape))
        # 1) counting
        f = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                f = 1.0 / float(self.num_batches_tracked)
        # 2) which stats
        batch = True if self.training else (self.running_mean is None and self.running_var is None)
        rm = self.running_mean if (not self.training or self.track_running_stats) else None
        rv = self.running_var if (not self.training or self.track_running_stats) else None
        # 3) errors
        n = x.shape[0] * x.shape[2] * x.shape[3]
        if batch:
            if n == 1:
                raise ValueError("Expected more than 1 value per channel when training, got input size " + str(x.size()))
            if self.eps <= 0.0:
                raise ValueError("batch_norm eps must be positive during training, but got " + str(self.eps))
        elif self.eps < 0.0:
            raise ValueError("batch_norm eps must be non-negative, but got " + str(self.eps))
        C = x.shape[1]
        for label, t in [("running_mean", rm), ("running_var", rv), ("weight", self.weight), ("bias", self.bias)]:
            if t is not None and t.numel() != C:
                raise RuntimeError("%s should contain %d elements not %d" % (label, C, t.numel()))
        # 4) one channel at a time
        outs = []
        for c in range(C):
            xc = x[:, c]
            if batch:
                mu = xc.mean()
                d = xc - mu
                v = (d * d).mean()
                out = d / torch.sqrt(v + self.eps)
                if rm is not None and n > 0:
                    with torch.no_grad():
                        rm[c] = (1 - f) * rm[c] + f * mu
                        rv[c] = (1 - f) * rv[c] + f * v * n / (n - 1)
            else:
                out = (xc - rm[c]) / torch.sqrt(rv[c] + self.eps)
            if self.weight is not None:
                out = out * self.weight[c]
            if self.bias is not None:
                out = out + self.bias[c]
            outs.append(out)
        if not outs:
            return x * 0
        return torch.stack(outs, dim=1)
