# expect: unbiased-normalization
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
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features, device=device, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        if affine and bias:
            self.bias = nn.Parameter(torch.zeros(num_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var", torch.ones(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")

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

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(f"expected 4D input (got {x.dim()}D input)")
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
        stats_from_batch = self.training or self.running_mean is None
        C = x.shape[1]
        m = x.shape[0] * x.shape[2] * x.shape[3]
        if stats_from_batch:
            if m == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        if (not self.training or self.track_running_stats) and self.running_mean is not None:
            if self.running_mean.numel() != C:
                raise RuntimeError(f"running_mean should contain {C} elements not {self.running_mean.numel()}")
            if self.running_var.numel() != C:
                raise RuntimeError(f"running_var should contain {C} elements not {self.running_var.numel()}")
        if self.weight is not None and self.weight.numel() != C:
            raise RuntimeError(f"weight should contain {C} elements not {self.weight.numel()}")
        if self.bias is not None and self.bias.numel() != C:
            raise RuntimeError(f"bias should contain {C} elements not {self.bias.numel()}")

        if stats_from_batch:
            mean = x.mean(dim=(0, 2, 3), keepdim=True)
            # sample variance (n - 1), same one that goes into the running average
            var = x.var(dim=(0, 2, 3), keepdim=True)
            if self.training and self.track_running_stats and m > 0:
                a = self.momentum if self.momentum is not None else 1.0 / self.num_batches_tracked.item()
                with torch.no_grad():
                    self.running_mean.mul_(1 - a).add_(a * mean.flatten())
                    self.running_var.mul_(1 - a).add_(a * var.flatten())
        else:
            mean = self.running_mean.view(1, C, 1, 1)
            var = self.running_var.view(1, C, 1, 1)
        x_hat = (x - mean) / torch.sqrt(var + self.eps)
        if self.weight is not None:
            x_hat = x_hat * self.weight.view(1, C, 1, 1)
        if self.bias is not None:
            x_hat = x_hat + self.bias.view(1, C, 1, 1)
        return x_hat
