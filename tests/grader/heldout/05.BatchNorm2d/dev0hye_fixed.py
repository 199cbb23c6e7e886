# expect: fail
# (was `pass` when written; torch leaves the statistics unchanged on an empty batch (N = 0), this module writes NaN into them: wrong, and no misconception on the list is about it)
# source: developer0hye/Torch-BatchNorm-From-Scratch README.md (BatchNorm2d: running_var made unbiased, batch statistics whenever training)
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

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(f"expected 4D input (got {x.dim()}D input)")
        factor = self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked += 1
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked)
        if self.training or self.running_mean is None:
            if x.size(0) * x.size(2) * x.size(3) == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            mean = x.mean(dim=[0, 2, 3], keepdim=True)
            var = ((x - mean) ** 2).mean(dim=[0, 2, 3], keepdim=True)
            if self.training and self.track_running_stats:
                n = x.numel() // x.size(1)
                with torch.no_grad():
                    self.running_mean = (1 - factor) * self.running_mean + factor * mean.view(-1)
                    self.running_var = (1 - factor) * self.running_var + factor * var.view(-1) * n / (n - 1)
        else:
            var, mean = self.running_var, self.running_mean
        C = self.num_features
        x = (x - mean.view(1, C, 1, 1)) / torch.sqrt(var.view(1, C, 1, 1) + self.eps)
        if self.weight is not None:
            x = self.weight.view(1, C, 1, 1) * x
        if self.bias is not None:
            x = x + self.bias.view(1, C, 1, 1)
        return x
