# expect: keras-momentum, biased-running-var
class BatchNorm2d(nn.Module):
    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        dd = dict(device=device, dtype=dtype)
        self.register_parameter("weight", nn.Parameter(torch.ones(num_features, **dd)) if affine else None)
        self.register_parameter("bias", nn.Parameter(torch.zeros(num_features, **dd)) if affine and bias else None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **dd))
            self.register_buffer("running_var", torch.ones(num_features, **dd))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device))
        else:
            for b in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(b, None)

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

    def forward(self, inp):
        if inp.dim() != 4:
            raise ValueError(f"expected 4D input (got {inp.dim()}D input)")
        if self.training and self.track_running_stats:
            if self.num_batches_tracked is not None:
                self.num_batches_tracked.add_(1)
        batch = self.training or (self.running_mean is None and self.running_var is None)
        C = inp.shape[1]
        if batch:
            if inp.shape[0] * inp.shape[2] * inp.shape[3] == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {inp.size()}")
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        given = not self.training or self.track_running_stats
        chk = [("weight", self.weight), ("bias", self.bias)]
        if given:
            chk = [("running_mean", self.running_mean), ("running_var", self.running_var)] + chk
        for k, t in chk:
            if t is not None and t.numel() != C:
                raise RuntimeError(f"{k} should contain {C} elements not {t.numel()}")
        if batch:
            mean = inp.mean(dim=(0, 2, 3))
            var = (inp - mean.view(1, C, 1, 1)).square().mean(dim=(0, 2, 3))
            if given and self.running_mean is not None and inp.numel() > 0:
                if self.momentum is None:
                    keep = 1.0 - 1.0 / self.num_batches_tracked.item()
                else:
                    keep = self.momentum      # decay of the old value
                with torch.no_grad():
                    self.running_mean.copy_(keep * self.running_mean + (1 - keep) * mean)
                    self.running_var.copy_(keep * self.running_var + (1 - keep) * var)
            xn = (inp - mean.view(1, C, 1, 1)) / (var.view(1, C, 1, 1) + self.eps).sqrt()
        else:
            xn = (inp - self.running_mean.view(1, C, 1, 1)) / (self.running_var.view(1, C, 1, 1) + self.eps).sqrt()
        if self.weight is not None:
            xn = xn * self.weight.view(1, C, 1, 1)
        if self.bias is not None:
            xn = xn + self.bias.view(1, C, 1, 1)
        return xn
