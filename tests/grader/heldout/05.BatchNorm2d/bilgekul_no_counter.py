# expect: biased-running-var, batch-count-wrong
# (was `biased-running-var, batch-count-wrong, no-cumulative-average` when written; its momentum=None weight 1/(count + 1) is right for the count it holds, which never moves: the count is the mistake, and the weight's error follows from it)
# source: bilgekul/custom-GAN- CustomBN.py (BatchNorm: biased running var, no num_batches_tracked), dims made (0, 2, 3), flags and errors added
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
        if self.training or self.running_mean is None:
            if x.shape[0] * x.shape[2] * x.shape[3] == 1:
                raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
            mean = x.mean(dim=(0, 2, 3), keepdim=True)
            var = x.var(dim=(0, 2, 3), unbiased=False, keepdim=True)
            if self.training and self.track_running_stats and self.running_mean is not None:
                m = self.momentum
                if m is None:
                    m = 1.0 / (self.num_batches_tracked.item() + 1)
                self.running_mean = ((1 - m) * self.running_mean + m * mean.squeeze()).detach()
                self.running_var = ((1 - m) * self.running_var + m * var.squeeze()).detach()
        else:
            mean = self.running_mean.view(1, -1, 1, 1)
            var = self.running_var.view(1, -1, 1, 1)
        x = (x - mean) / torch.sqrt(var + self.eps)
        if self.weight is not None:
            x = self.weight.view(1, -1, 1, 1) * x
        if self.bias is not None:
            x = x + self.bias.view(1, -1, 1, 1)
        return x
