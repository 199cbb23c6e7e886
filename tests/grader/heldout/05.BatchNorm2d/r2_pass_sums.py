# expect: pass
import math


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
        like = torch.empty(num_features, device=device, dtype=dtype)
        if affine:
            self.weight = nn.Parameter(torch.ones_like(like))
            if bias:
                self.bias = nn.Parameter(torch.zeros_like(like))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros_like(like))
            self.register_buffer("running_var", torch.ones_like(like))
            self.register_buffer("num_batches_tracked", torch.zeros([], dtype=torch.int64, device=device))
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
            with torch.no_grad():
                self.weight.copy_(torch.ones_like(self.weight))
                if self.bias is not None:
                    self.bias.copy_(torch.zeros_like(self.bias))

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(f"expected 4D input (got {x.dim()}D input)")
        N, C, H, W = x.shape
        tracking = self.training and self.track_running_stats
        if tracking and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
        if self.momentum is None:
            w_new = 1.0 / float(self.num_batches_tracked) if (tracking and self.num_batches_tracked is not None) else 0.0
        else:
            w_new = self.momentum
        no_stats = self.running_mean is None and self.running_var is None
        if self.training or no_stats:
            m = N * H * W
            if m == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
            update = self.track_running_stats or not self.training
            for name in (["running_mean", "running_var"] if update else []) + ["weight", "bias"]:
                t = getattr(self, name)
                if t is not None and t.numel() != C:
                    raise RuntimeError(f"{name} should contain {C} elements not {t.numel()}")
            s1 = x.sum(dim=(0, 2, 3), keepdim=True)
            mu = s1 / m
            c = x - mu
            ss = (c * c).sum(dim=(0, 2, 3), keepdim=True)
            xhat = c / torch.sqrt(ss / m + self.eps)
            if update and self.running_mean is not None and m > 0:
                with torch.no_grad():
                    self.running_mean.mul_(1 - w_new).add_(w_new * mu.flatten())
                    self.running_var.mul_(1 - w_new).add_(w_new * ss.flatten() / (m - 1))
        else:
            if self.eps < 0:
                raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
            for name in ("running_mean", "running_var", "weight", "bias"):
                t = getattr(self, name)
                if t is not None and t.numel() != C:
                    raise RuntimeError(f"{name} should contain {C} elements not {t.numel()}")
            xhat = (x - self.running_mean.view(1, C, 1, 1)) / torch.sqrt(self.running_var.view(1, C, 1, 1) + self.eps)
        if self.weight is not None:
            xhat = xhat * self.weight.view(1, C, 1, 1)
        if self.bias is not None:
            xhat = xhat + self.bias.view(1, C, 1, 1)
        return xhat
