# expect: pass
class BatchNorm2d(nn.Module):
    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        opts = dict(device=device, dtype=dtype)
        self.weight = nn.Parameter(torch.ones(num_features, **opts)) if affine else None
        self.bias = nn.Parameter(torch.zeros(num_features, **opts)) if (affine and bias) else None
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **opts))
            self.register_buffer("running_var", torch.ones(num_features, **opts))
            self.register_buffer("num_batches_tracked", torch.zeros((), dtype=torch.long, device=device))
        else:
            for n in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(n, None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1.0)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.weight is not None:
            with torch.no_grad():
                self.weight.fill_(1.0)
        if self.bias is not None:
            with torch.no_grad():
                self.bias.zero_()

    def extra_repr(self):
        return "{num_features}, eps={eps}, momentum={momentum}, affine={affine}, ".format(**self.__dict__) + \
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"

    def _check(self, x, batch_stats, rm, rv):
        C = x.shape[1]
        if batch_stats:
            if x.numel() // C == 1 if C else False:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if not self.eps > 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        if rm is not None and rm.numel() != C:
            raise RuntimeError(f"running_mean should contain {C} elements not {rm.numel()}")
        if rv is not None and rv.numel() != C:
            raise RuntimeError(f"running_var should contain {C} elements not {rv.numel()}")
        if self.weight is not None and self.weight.numel() != C:
            raise RuntimeError(f"weight should contain {C} elements not {self.weight.numel()}")
        if self.bias is not None and self.bias.numel() != C:
            raise RuntimeError(f"bias should contain {C} elements not {self.bias.numel()}")

    def forward(self, input):
        if input.dim() != 4:
            raise ValueError("expected 4D input (got {}D input)".format(input.dim()))
        alpha = 0.0
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked += 1
            alpha = 1.0 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
        batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        hand_on = (not self.training) or self.track_running_stats
        rm = self.running_mean if hand_on else None
        rv = self.running_var if hand_on else None
        self._check(input, batch_stats, rm, rv)
        C = input.shape[1]
        flat = input.transpose(0, 1).reshape(C, -1)          # (C, N*H*W)
        if batch_stats:
            mu = flat.mean(dim=1)
            centered = flat - mu[:, None]
            var = centered.pow(2).mean(dim=1)
            out = centered / (var[:, None] + self.eps).sqrt()
            m = flat.shape[1]
            if rm is not None and m > 0:
                with torch.no_grad():
                    rm.lerp_(mu, alpha)
                    rv.lerp_(var * (m / (m - 1)), alpha)
        else:
            out = (flat - rm[:, None]) / (rv[:, None] + self.eps).sqrt()
        if self.weight is not None:
            out = out * self.weight[:, None]
        if self.bias is not None:
            out = out + self.bias[:, None]
        N, _, H, W = input.shape
        return out.reshape(C, N, H, W).transpose(0, 1)
