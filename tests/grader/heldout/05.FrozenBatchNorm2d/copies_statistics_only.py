# expect: ignores-affine
class FrozenBatchNorm2d(nn.Module):
    def __init__(self, num_features, eps=1e-5, device=None, dtype=None):
        super().__init__()
        self.eps = eps
        self.register_buffer("weight", torch.ones(num_features, device=device, dtype=dtype))
        self.register_buffer("bias", torch.zeros(num_features, device=device, dtype=dtype))
        self.register_buffer("running_mean", torch.zeros(num_features, device=device, dtype=dtype))
        self.register_buffer("running_var", torch.ones(num_features, device=device, dtype=dtype))

    @classmethod
    def from_batchnorm(cls, bn):
        frozen = cls(bn.num_features, bn.eps, dtype=bn.running_mean.dtype)
        frozen.running_mean = bn.running_mean.clone()
        frozen.running_var = bn.running_var.clone()
        return frozen

    def forward(self, x):
        inv = torch.rsqrt(self.running_var + self.eps)[None, :, None, None]
        return (x - self.running_mean[None, :, None, None]) * inv * self.weight[None, :, None, None] \
            + self.bias[None, :, None, None]
