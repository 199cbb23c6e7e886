# expect: running-stats-in-training
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
        p = lambda v: nn.Parameter(torch.full((num_features,), float(v), device=device, dtype=dtype))
        self.weight = p(1) if affine else None
        self.bias = p(0) if affine and bias else None
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var", torch.ones(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", torch.tensor(0, device=device))
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
        tracking = self.training and self.track_running_stats and self.running_mean is not None
        if tracking:
            self.num_batches_tracked += 1
        batch = self.training or self.running_mean is None
        C = x.size(1)
        if batch and x.size(0) * x.size(2) * x.size(3) == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
        if batch and self.eps <= 0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        if not batch and self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        check = []
        if self.running_mean is not None and (not self.training or self.track_running_stats):
            check += [("running_mean", self.running_mean), ("running_var", self.running_var)]
        check += [("weight", self.weight), ("bias", self.bias)]
        for n, t in check:
            if t is not None and t.numel() != C:
                raise RuntimeError(f"{n} should contain {C} elements not {t.numel()}")

        # 1) update the running statistics with this batch
        if tracking and x.numel() > 0:
            m = x.numel() // C
            bm = x.detach().mean(dim=(0, 2, 3))
            bv = x.detach().var(dim=(0, 2, 3), unbiased=True)
            a = self.momentum if self.momentum is not None else 1.0 / self.num_batches_tracked.item()
            self.running_mean.mul_(1 - a).add_(a * bm)
            self.running_var.mul_(1 - a).add_(a * bv)
        # 2) normalize
        if self.running_mean is not None and (not self.training or self.track_running_stats):
            mean = self.running_mean.view(1, C, 1, 1)
            var = self.running_var.view(1, C, 1, 1)
        else:
            mean = x.mean(dim=(0, 2, 3), keepdim=True)
            var = ((x - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
        y = (x - mean) / torch.sqrt(var + self.eps)
        if self.weight is not None:
            y = y * self.weight.view(1, C, 1, 1)
        if self.bias is not None:
            y = y + self.bias.view(1, C, 1, 1)
        return y
