# expect: batch-stats-in-eval, batch-count-wrong
# (was `batch-stats-in-eval` when written; like c_correct_mode_paths, the module it was edited from, it raises the channel-size error before counting, where torch counts first: batch-count-wrong too)
class BatchNorm2d(nn.Module):
    """BatchNorm2d with one code path per mode."""

    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True):
        super().__init__()
        factory = {"device": device, "dtype": dtype}
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        self.weight = nn.Parameter(torch.empty(num_features, **factory)) if affine else None
        self.bias = nn.Parameter(torch.empty(num_features, **factory)) if affine and bias else None
        if track_running_stats:
            self.register_buffer("running_mean", torch.empty(num_features, **factory))
            self.register_buffer("running_var", torch.empty(num_features, **factory))
            self.register_buffer("num_batches_tracked", torch.zeros((), dtype=torch.long, device=device))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None
        self.reset_parameters()

    def reset_running_stats(self):
        if not self.track_running_stats:
            return
        with torch.no_grad():
            self.running_mean.fill_(0.0)
            self.running_var.fill_(1.0)
            self.num_batches_tracked.fill_(0)

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            with torch.no_grad():
                self.weight.fill_(1.0)
                if self.bias is not None:
                    self.bias.fill_(0.0)

    def extra_repr(self):
        parts = [str(self.num_features), f"eps={self.eps}", f"momentum={self.momentum}",
                 f"affine={self.affine}", f"bias={self.bias is not None}",
                 f"track_running_stats={self.track_running_stats}"]
        return ", ".join(parts)

    # --- helpers -------------------------------------------------------
    @staticmethod
    def _batch_moments(x):
        C = x.shape[1]
        cols = x.transpose(0, 1).reshape(C, -1)
        mean = cols.mean(dim=1)
        var = ((cols - mean[:, None]) ** 2).mean(dim=1)
        return mean, var, cols.shape[1]

    def _scale_shift(self, mean, var):
        scale = torch.rsqrt(var + self.eps)
        if self.weight is not None:
            scale = scale * self.weight
        shift = -mean * scale
        if self.bias is not None:
            shift = shift + self.bias
        return scale, shift

    @torch.no_grad()
    def _update(self, mean, var, n):
        self.num_batches_tracked += 1
        w = self.momentum if self.momentum is not None else 1.0 / int(self.num_batches_tracked)
        self.running_mean.mul_(1 - w).add_(mean, alpha=w)
        self.running_var.mul_(1 - w).add_(var * n / (n - 1), alpha=w)

    def _train_forward(self, x):
        counted = self.track_running_stats and self.num_batches_tracked is not None
        if x.shape[0] * x.shape[2] * x.shape[3] <= 1 or self.eps <= 0:
            if counted:
                self.num_batches_tracked += 1
            if x.numel() == 0:
                return x.new_zeros(x.shape[1]), x.new_ones(x.shape[1])
            if x.shape[0] * x.shape[2] * x.shape[3] == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        self._check_sizes(x, self.running_mean if self.track_running_stats else None,
                          self.running_var if self.track_running_stats else None)
        mean, var, n = self._batch_moments(x)
        if self.track_running_stats and self.running_mean is not None:
            self._update(mean.detach(), var.detach(), n)
        return mean, var

    def _check_sizes(self, x, running_mean, running_var):
        C = x.shape[1]
        for name, t in [("running_mean", running_mean), ("running_var", running_var),
                        ("weight", self.weight), ("bias", self.bias)]:
            if t is not None and t.numel() != C:
                raise RuntimeError(f"{name} should contain {C} elements not {t.numel()}")

    def _eval_forward(self, x):
        if self.running_mean is None:
            if x.shape[0] * x.shape[2] * x.shape[3] == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
            self._check_sizes(x, None, None)
            if x.numel() == 0:
                return x.new_zeros(x.shape[1]), x.new_ones(x.shape[1])
            mean, var, _ = self._batch_moments(x)
            return mean, var
        if self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        self._check_sizes(x, self.running_mean, self.running_var)
        mean, var, _ = self._batch_moments(x)   # statistics of the batch we are given
        return mean, var

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(f"expected 4D input (got {x.dim()}D input)")
        if self.training:
            mean, var = self._train_forward(x)
        else:
            mean, var = self._eval_forward(x)
        scale, shift = self._scale_shift(mean, var)
        return x * scale[None, :, None, None] + shift[None, :, None, None]
