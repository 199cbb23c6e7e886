# expect: biased-running-var
class BatchNorm2d(nn.Module):
    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super(BatchNorm2d, self).__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        self.weight = nn.Parameter(torch.ones(num_features, device=device, dtype=dtype)) if affine else None
        self.bias = nn.Parameter(torch.zeros(num_features, device=device, dtype=dtype)) if (affine and bias) else None
        if track_running_stats:
            self.register_buffer('running_mean', torch.zeros(num_features, device=device, dtype=dtype))
            self.register_buffer('running_var', torch.ones(num_features, device=device, dtype=dtype))
            self.register_buffer('num_batches_tracked', torch.tensor(0, dtype=torch.long, device=device))
        else:
            self.register_buffer('running_mean', None)
            self.register_buffer('running_var', None)
            self.register_buffer('num_batches_tracked', None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.weight is not None:
            nn.init.ones_(self.weight)
        if self.bias is not None:
            nn.init.zeros_(self.bias)

    def extra_repr(self):
        return '{}, eps={}, momentum={}, affine={}, bias={}, track_running_stats={}'.format(
            self.num_features, self.eps, self.momentum, self.affine, self.bias is not None,
            self.track_running_stats)

    def forward(self, input):
        if input.dim() != 4:
            raise ValueError('expected 4D input (got {}D input)'.format(input.dim()))
        eaf = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            if self.num_batches_tracked is not None:
                self.num_batches_tracked.add_(1)
                if self.momentum is None:
                    eaf = 1.0 / float(self.num_batches_tracked)
        bn_training = True if self.training else (self.running_mean is None and self.running_var is None)
        rm = self.running_mean if not self.training or self.track_running_stats else None
        rv = self.running_var if not self.training or self.track_running_stats else None
        size = input.size()
        if bn_training:
            if size[0] * size[2] * size[3] == 1:
                raise ValueError('Expected more than 1 value per channel when training, got input size {}'.format(size))
            if self.eps <= 0:
                raise ValueError('batch_norm eps must be positive during training, but got {}'.format(self.eps))
        elif self.eps < 0:
            raise ValueError('batch_norm eps must be non-negative, but got {}'.format(self.eps))
        C = size[1]
        for nm, t in (('running_mean', rm), ('running_var', rv), ('weight', self.weight), ('bias', self.bias)):
            if t is not None and t.numel() != C:
                raise RuntimeError('{} should contain {} elements not {}'.format(nm, C, t.numel()))
        if bn_training:
            mean = input.mean([0, 2, 3])
            var = ((input - mean[None, :, None, None]) ** 2).mean([0, 2, 3])
            if rm is not None and input.numel() > 0:
                with torch.no_grad():
                    rm.mul_(1 - eaf).add_(eaf * mean)
                    rv.mul_(1 - eaf).add_(eaf * var)
        else:
            mean, var = rm, rv
        out = (input - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + self.eps)
        if self.weight is not None:
            out = out * self.weight[None, :, None, None]
        if self.bias is not None:
            out = out + self.bias[None, :, None, None]
        return out
