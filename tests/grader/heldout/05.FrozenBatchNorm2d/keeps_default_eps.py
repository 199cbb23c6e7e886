# expect: fail
class FrozenBatchNorm2d(nn.Module):
    def __init__(self, num_features, eps=1e-5, device=None, dtype=None):
        super().__init__()
        self.eps = eps
        opts = {"device": device, "dtype": dtype}
        self.register_buffer("weight", torch.ones(num_features, **opts))
        self.register_buffer("bias", torch.zeros(num_features, **opts))
        self.register_buffer("running_mean", torch.zeros(num_features, **opts))
        self.register_buffer("running_var", torch.ones(num_features, **opts))

    @classmethod
    def from_batchnorm(cls, bn):
        out = cls(bn.num_features, dtype=bn.running_var.dtype)
        with torch.no_grad():
            out.running_mean.copy_(bn.running_mean)
            out.running_var.copy_(bn.running_var)
            if bn.affine:
                out.weight.copy_(bn.weight)
                if bn.bias is not None:
                    out.bias.copy_(bn.bias)
        return out

    def forward(self, x):
        scale = self.weight / torch.sqrt(self.running_var + self.eps)
        shift = self.bias - self.running_mean * scale
        return x * scale.view(1, -1, 1, 1) + shift.view(1, -1, 1, 1)
