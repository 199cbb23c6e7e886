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
        f = dict(device=device, dtype=dtype)
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features, **f))
            if bias:
                self.bias = nn.Parameter(torch.zeros(num_features, **f))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.register_buffer("running_mean", torch.zeros(num_features, **f) if track_running_stats else None)
        self.register_buffer("running_var", torch.ones(num_features, **f) if track_running_stats else None)
        self.register_buffer("num_batches_tracked",
                             torch.tensor(0, device=device) if track_running_stats else None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.data = torch.zeros_like(self.running_mean)
            self.running_var.data = torch.ones_like(self.running_var)
            self.num_batches_tracked.data = torch.zeros_like(self.num_batches_tracked)

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            self.weight.data.fill_(1)
            if self.bias is not None:
                self.bias.data.fill_(0)

    def extra_repr(self):
        parts = [str(self.num_features), f"eps={self.eps}", f"momentum={self.momentum}",
                 f"affine={self.affine}", f"bias={self.bias is not None}",
                 f"track_running_stats={self.track_running_stats}"]
        return ", ".join(parts)

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(f"expected 4D input (got {x.dim()}D input)")
        N, C, H, W = x.shape
        factor = self.momentum if self.momentum is not None else 0.0
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked)
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        buffers = (self.running_mean, self.running_var) if (not self.training or self.track_running_stats) else (None, None)
        if use_batch and N * H * W == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
        if use_batch and self.eps <= 0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        if not use_batch and self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        for name, t in zip(("running_mean", "running_var", "weight", "bias"),
                           buffers + (self.weight, self.bias)):
            if t is not None and t.numel() != C:
                raise RuntimeError(f"{name} should contain {C} elements not {t.numel()}")

        cols = x.transpose(0, 1).reshape(C, -1)          # (C, N*H*W)
        if use_batch:
            mu = cols.mean(dim=1)
            dev = cols - mu[:, None]
            sigma2 = (dev * dev).mean(dim=1)
            xhat = dev / torch.sqrt(sigma2 + self.eps)[:, None]
            count = cols.shape[1]
            rm, rv = buffers
            if rm is not None and count > 0:
                with torch.no_grad():
                    rm.mul_(1 - factor).add_(mu, alpha=factor)
                    rv.mul_(1 - factor).add_(sigma2 * count / (count - 1), alpha=factor)
        else:
            rm, rv = buffers
            xhat = (cols - rm[:, None]) / torch.sqrt(rv + self.eps)[:, None]
        if self.weight is not None:
            xhat = xhat * self.weight[:, None]
        if self.bias is not None:
            xhat = xhat + self.bias[:, None]
        return xhat.reshape(C, N, H, W).transpose(0, 1)
