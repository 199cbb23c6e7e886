# expect: eps-outside-sqrt
class FrozenBatchNorm2d(nn.Module):
    def __init__(self, num_features, eps=1e-5, device=None, dtype=None):
        super().__init__()
        self.num_features, self.eps = num_features, eps
        for name, fill in [("weight", 1.0), ("bias", 0.0), ("running_mean", 0.0), ("running_var", 1.0)]:
            self.register_buffer(name, torch.full((num_features,), fill, device=device, dtype=dtype))

    @classmethod
    def from_batchnorm(cls, bn):
        new = cls(bn.num_features, eps=bn.eps, device=bn.running_mean.device, dtype=bn.running_mean.dtype)
        with torch.no_grad():
            for name in ["weight", "bias", "running_mean", "running_var"]:
                src = getattr(bn, name)
                if src is not None:
                    getattr(new, name).copy_(src)
        return new

    def forward(self, x):
        c = (1, -1, 1, 1)
        std = self.running_var.sqrt() + self.eps
        return (x - self.running_mean.view(c)) / std.view(c) * self.weight.view(c) + self.bias.view(c)
