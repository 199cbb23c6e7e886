# expect: no-cumulative-average
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
        p = dict(device=device, dtype=dtype)
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features, **p))
            if bias:
                self.bias = nn.Parameter(torch.zeros(num_features, **p))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.register_buffer("running_mean", torch.zeros(num_features, **p) if track_running_stats else None)
        self.register_buffer("running_var", torch.ones(num_features, **p) if track_running_stats else None)
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device) if track_running_stats else None)

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
        momentum = self.momentum if self.momentum is not None else 0.1   # fall back to the default
        training_update = self.training and self.track_running_stats
        if training_update:
            self.num_batches_tracked.add_(1)
        if self.training or self.running_var is None:
            if x.shape[0] * x.shape[2] * x.shape[3] == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
            dims = [0, 2, 3]
            mean = x.mean(dims, keepdim=True)
            var = (x - mean).square().mean(dims, keepdim=True)
            if training_update and x.numel() > 0:
                n = x.numel() / x.shape[1]
                with torch.no_grad():
                    self.running_mean.mul_(1 - momentum).add_(mean.flatten(), alpha=momentum)
                    self.running_var.mul_(1 - momentum).add_(var.flatten() * (n / (n - 1)), alpha=momentum)
        else:
            if self.eps < 0:
                raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
            mean = self.running_mean.view(1, -1, 1, 1)
            var = self.running_var.view(1, -1, 1, 1)
        xn = (x - mean) * torch.rsqrt(var + self.eps)
        if self.weight is not None:
            xn = xn * self.weight.view(1, -1, 1, 1)
        if self.bias is not None:
            xn = xn + self.bias.view(1, -1, 1, 1)
        return xn
