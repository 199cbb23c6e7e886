# expect: keras-momentum, biased-running-var, batch-stats-in-eval, updates-in-eval
# source: hannawong/MLE-interview 编程语言基础/pytorch/BN实现.md (MyBN.batch_norm: batch statistics always, running = (1-momentum)*batch + momentum*running, biased var), as an nn.Module
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
        if x.shape[0] * x.shape[2] * x.shape[3] == 1:
            if self.training and self.track_running_stats:
                self.num_batches_tracked += 1
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
        x_mean = x.mean(dim=(0, 2, 3))
        x_var = x.var(dim=(0, 2, 3), unbiased=False)
        if self.running_mean is not None and self.track_running_stats:
            if self.training:
                self.num_batches_tracked += 1
            m = self.momentum if self.momentum is not None else 1.0 / max(int(self.num_batches_tracked), 1)
            with torch.no_grad():
                self.running_mean.copy_((1 - m) * x_mean + m * self.running_mean)
                self.running_var.copy_((1 - m) * x_var + m * self.running_var)
        x_hat = (x - x_mean[None, :, None, None]) / torch.sqrt(x_var[None, :, None, None] + self.eps)
        if self.weight is not None:
            x_hat = x_hat * self.weight[None, :, None, None]
        if self.bias is not None:
            x_hat = x_hat + self.bias[None, :, None, None]
        return x_hat
