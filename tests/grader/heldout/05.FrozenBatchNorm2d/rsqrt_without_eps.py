# expect: missing-eps
# source: facebookresearch/maskrcnn-benchmark maskrcnn_benchmark/layers/batch_norm.py (FrozenBatchNorm2d: scale = weight * running_var.rsqrt())
class FrozenBatchNorm2d(nn.Module):
    def __init__(self, num_features, eps=1e-5, device=None, dtype=None):
        super().__init__()
        kw = dict(device=device, dtype=dtype)
        self.eps = eps
        self.register_buffer("weight", torch.ones(num_features, **kw))
        self.register_buffer("bias", torch.zeros(num_features, **kw))
        self.register_buffer("running_mean", torch.zeros(num_features, **kw))
        self.register_buffer("running_var", torch.ones(num_features, **kw))

    @classmethod
    def from_batchnorm(cls, bn):
        f = cls(bn.num_features, bn.eps, dtype=bn.running_var.dtype)
        f.running_mean.copy_(bn.running_mean)
        f.running_var.copy_(bn.running_var)
        if bn.weight is not None:
            f.weight.copy_(bn.weight.detach())
        if bn.bias is not None:
            f.bias.copy_(bn.bias.detach())
        return f

    def forward(self, x):
        scale = self.weight * self.running_var.rsqrt()
        bias = self.bias - self.running_mean * scale
        scale = scale.reshape(1, -1, 1, 1)
        bias = bias.reshape(1, -1, 1, 1)
        return x * scale + bias
