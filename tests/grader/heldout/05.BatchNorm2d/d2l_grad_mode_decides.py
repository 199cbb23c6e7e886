# expect: batch-stats-in-eval, running-stats-in-training, updates-in-eval
# (was `batch-stats-in-eval, updates-in-eval` when written; the grader runs training forwards under no_grad too, where this module normalizes with the running statistics: the author's own note)
# source: righterTY/d2l demo7_5.py (batch_norm/BatchNorm: torch.is_grad_enabled() decides the mode), momentum made PyTorch's, flags and errors added
def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    """Returns Y and the new moving statistics; momentum is the weight of the new batch."""
    if not torch.is_grad_enabled() and moving_mean is not None:
        # prediction mode: use the moving averages
        X_hat = (X - moving_mean.view(1, -1, 1, 1)) / torch.sqrt(moving_var.view(1, -1, 1, 1) + eps)
    else:
        mean = X.mean(dim=(0, 2, 3), keepdim=True)
        var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
        X_hat = (X - mean) / torch.sqrt(var + eps)
        if moving_mean is not None:
            n = X.numel() // X.shape[1]
            moving_mean = (1.0 - momentum) * moving_mean + momentum * mean.flatten().detach()
            moving_var = (1.0 - momentum) * moving_var + momentum * var.flatten().detach() * n / (n - 1)
    if gamma is not None:
        X_hat = gamma.view(1, -1, 1, 1) * X_hat
    if beta is not None:
        X_hat = X_hat + beta.view(1, -1, 1, 1)
    return X_hat, moving_mean, moving_var


class BatchNorm2d(nn.Module):

    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True):
        factory_kwargs = {"device": device, "dtype": dtype}
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if self.affine:
            self.weight = nn.Parameter(torch.empty(num_features, **factory_kwargs))
            self.bias = nn.Parameter(torch.empty(num_features, **factory_kwargs)) if bias else None
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **factory_kwargs))
            self.register_buffer("running_var", torch.ones(num_features, **factory_kwargs))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

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

    def forward(self, X):
        if X.dim() != 4:
            raise ValueError(f"expected 4D input (got {X.dim()}D input)")
        momentum = self.momentum
        if self.track_running_stats and self.num_batches_tracked is not None and torch.is_grad_enabled():
            self.num_batches_tracked += 1
            if momentum is None:
                momentum = 1.0 / float(self.num_batches_tracked)
        if torch.is_grad_enabled() and X.shape[0] * X.shape[2] * X.shape[3] == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {X.size()}")
        tracked = self.running_mean if self.track_running_stats else None
        Y, mm, mv = batch_norm(X, self.weight, self.bias, tracked,
                               self.running_var if self.track_running_stats else None, self.eps, momentum)
        if tracked is not None:
            self.running_mean, self.running_var = mm, mv
        return Y
