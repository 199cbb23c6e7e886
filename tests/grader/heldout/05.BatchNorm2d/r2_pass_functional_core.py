# expect: pass
def my_batch_norm(x, running_mean, running_var, weight, bias, training, factor, eps):
    """Like F.batch_norm, from scratch."""
    if training:
        size = x.size(0) * x.size(2) * x.size(3)
        if size == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
        if eps <= 0.0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    C = x.size(1)
    for what, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != C:
            raise RuntimeError(f"{what} should contain {C} elements not {t.numel()}")
    shape = (1, C, 1, 1)
    if training:
        mean = x.mean(dim=[0, 2, 3], keepdim=True)
        xm = x - mean
        var = xm.square().mean(dim=[0, 2, 3], keepdim=True)
        invstd = (var + eps).rsqrt()
        if running_mean is not None and x.numel() > 0:
            n = x.numel() // C
            with torch.no_grad():
                running_mean.copy_(running_mean * (1 - factor) + mean.reshape(-1) * factor)
                running_var.copy_(running_var * (1 - factor) + var.reshape(-1) * (n / (n - 1)) * factor)
    else:
        xm = x - running_mean.reshape(shape)
        invstd = (running_var.reshape(shape) + eps).rsqrt()
    out = xm * invstd
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


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
        fk = {"device": device, "dtype": dtype}
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features, **fk))
            if bias:
                self.bias = nn.Parameter(torch.zeros(num_features, **fk))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **fk))
            self.register_buffer("running_var", torch.ones(num_features, **fk))
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
        return "{}, eps={}, momentum={}, affine={}, bias={}, track_running_stats={}".format(
            self.num_features, self.eps, self.momentum, self.affine,
            self.bias is not None, self.track_running_stats)

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(f"expected 4D input (got {x.dim()}D input)")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            factor = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
        training = self.training or (self.running_mean is None and self.running_var is None)
        keep = not self.training or self.track_running_stats
        return my_batch_norm(x, self.running_mean if keep else None, self.running_var if keep else None,
                             self.weight, self.bias, training, factor, self.eps)
