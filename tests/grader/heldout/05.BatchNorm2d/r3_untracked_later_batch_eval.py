# expect: batch-stats-in-eval
class BatchNorm2d(nn.Module):
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
        self.weight = nn.Parameter(torch.ones(num_features, **fk)) if affine else None
        self.bias = nn.Parameter(torch.zeros(num_features, **fk)) if affine and bias else None
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
            raise ValueError(f"expected 4D input (got {x.dim()}D input)")
        # batch statistics whenever we train or do not track
        use_batch = self.training or not self.track_running_stats
        update = self.training and self.track_running_stats
        if update:
            self.num_batches_tracked.add_(1)
        C = x.shape[1]
        if use_batch:
            if x.shape[0] * x.shape[2] * x.shape[3] == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        sizes = [("weight", self.weight), ("bias", self.bias)]
        if self.running_mean is not None and (update or not use_batch):
            sizes = [("running_mean", self.running_mean), ("running_var", self.running_var)] + sizes
        for nm, t in sizes:
            if t is not None and t.numel() != C:
                raise RuntimeError(f"{nm} should contain {C} elements not {t.numel()}")
        if use_batch:
            mu = torch.mean(x, dim=(0, 2, 3), keepdim=True)
            sig2 = torch.mean((x - mu) ** 2, dim=(0, 2, 3), keepdim=True)
            if update and x.numel() > 0:
                m = x.numel() // C
                w = self.momentum if self.momentum is not None else 1 / self.num_batches_tracked.item()
                with torch.no_grad():
                    self.running_mean.copy_((1 - w) * self.running_mean + w * mu.reshape(-1))
                    self.running_var.copy_((1 - w) * self.running_var + w * sig2.reshape(-1) * m / (m - 1))
        else:
            mu = self.running_mean.reshape(1, -1, 1, 1)
            sig2 = self.running_var.reshape(1, -1, 1, 1)
        out = (x - mu) / torch.sqrt(sig2 + self.eps)
        if self.weight is not None:
            out = out * self.weight.reshape(1, -1, 1, 1)
        if self.bias is not None:
            out = out + self.bias.reshape(1, -1, 1, 1)
        return out
