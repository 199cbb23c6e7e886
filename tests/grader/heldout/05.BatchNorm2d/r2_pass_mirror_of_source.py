# expect: pass
class BatchNorm2d(nn.Module):
    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        kw = dict(device=device, dtype=dtype)
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if self.affine:
            self.weight = nn.Parameter(torch.empty(num_features, **kw))
            self.bias = nn.Parameter(torch.empty(num_features, **kw)) if bias else None
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **kw))
            self.register_buffer("running_var", torch.ones(num_features, **kw))
            self.register_buffer("num_batches_tracked",
                                 torch.tensor(0, dtype=torch.long, device=device))
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
        return ("{num_features}, eps={eps}, momentum={momentum}, affine={affine}, "
                "bias={has_bias}, track_running_stats={track_running_stats}".format(
                    has_bias=self.bias is not None, **self.__dict__))

    def forward(self, input):
        if input.dim() != 4:
            raise ValueError("expected 4D input (got {}D input)".format(input.dim()))

        if self.momentum is None:
            exponential_average_factor = 0.0
        else:
            exponential_average_factor = self.momentum

        if self.training and self.track_running_stats:
            if self.num_batches_tracked is not None:
                self.num_batches_tracked.add_(1)
                if self.momentum is None:
                    exponential_average_factor = 1.0 / float(self.num_batches_tracked)
                else:
                    exponential_average_factor = self.momentum

        if self.training:
            bn_training = True
        else:
            bn_training = (self.running_mean is None) and (self.running_var is None)

        rm = self.running_mean if not self.training or self.track_running_stats else None
        rv = self.running_var if not self.training or self.track_running_stats else None

        if bn_training:
            size_prods = input.size(0)
            for i in range(2, input.dim()):
                size_prods *= input.size(i)
            if size_prods == 1:
                raise ValueError(
                    f"Expected more than 1 value per channel when training, got input size {input.size()}")
            if self.eps <= 0.0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0.0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")

        C = input.size(1)
        for name, t in (("running_mean", rm), ("running_var", rv),
                        ("weight", self.weight), ("bias", self.bias)):
            if t is not None and t.numel() != C:
                raise RuntimeError(f"{name} should contain {C} elements not {t.numel()}")

        if bn_training:
            mean = input.mean(dim=(0, 2, 3))
            diff = input - mean.view(1, -1, 1, 1)
            var = diff.pow(2).mean(dim=(0, 2, 3))
            out = diff / torch.sqrt(var.view(1, -1, 1, 1) + self.eps)
            n = input.numel() / C if C else 0
            if rm is not None and input.numel() > 0:
                with torch.no_grad():
                    rm.copy_(exponential_average_factor * mean
                             + (1 - exponential_average_factor) * rm)
                    rv.copy_(exponential_average_factor * var * n / (n - 1)
                             + (1 - exponential_average_factor) * rv)
        else:
            out = (input - rm.view(1, -1, 1, 1)) / torch.sqrt(rv.view(1, -1, 1, 1) + self.eps)

        if self.weight is not None:
            out = out * self.weight.view(1, -1, 1, 1)
        if self.bias is not None:
            out = out + self.bias.view(1, -1, 1, 1)
        return out
