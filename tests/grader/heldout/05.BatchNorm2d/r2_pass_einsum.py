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
        kw = dict(device=device, dtype=dtype)
        if affine:
            self.weight = nn.Parameter(torch.full((num_features,), 1.0, **kw))
        else:
            self.register_parameter("weight", None)
        if affine and bias:
            self.bias = nn.Parameter(torch.full((num_features,), 0.0, **kw))
        else:
            self.register_parameter("bias", None)
        self.register_buffer("running_mean", torch.zeros(num_features, **kw) if track_running_stats else None)
        self.register_buffer("running_var", torch.ones(num_features, **kw) if track_running_stats else None)
        self.register_buffer("num_batches_tracked",
                             torch.tensor(0, dtype=torch.long, device=device) if track_running_stats else None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.zero_(); self.running_var.fill_(1); self.num_batches_tracked.zero_()

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
        n_, c_, h_, w_ = x.shape
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                momentum = 1.0 / float(self.num_batches_tracked)
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        pass_stats = not self.training or self.track_running_stats
        rm = self.running_mean if pass_stats else None
        rv = self.running_var if pass_stats else None
        m = n_ * h_ * w_
        if use_batch:
            if m == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if self.eps <= 0.0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0.0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        for label, t in (("running_mean", rm), ("running_var", rv), ("weight", self.weight), ("bias", self.bias)):
            if t is not None and t.numel() != c_:
                raise RuntimeError(f"{label} should contain {c_} elements not {t.numel()}")
        if use_batch:
            mean = torch.einsum("nchw->c", x) / m
            centered = x - mean[:, None, None]
            var = torch.einsum("nchw,nchw->c", centered, centered) / m
            if rm is not None and m > 0:
                with torch.no_grad():
                    rm.copy_((1 - momentum) * rm + momentum * mean)
                    rv.copy_((1 - momentum) * rv + momentum * var * (m / (m - 1)))
        else:
            centered = x - rm[:, None, None]
            var = rv
        out = torch.einsum("nchw,c->nchw", centered, torch.rsqrt(var + self.eps))
        if self.weight is not None:
            out = torch.einsum("nchw,c->nchw", out, self.weight)
        if self.bias is not None:
            out = out + self.bias[:, None, None]
        return out
