# expect: eps-outside-sqrt
import copy

def fuse_conv_bn(conv, bn):
    fused = copy.deepcopy(conv)
    with torch.no_grad():
        std = bn.running_var.sqrt() + bn.eps
        gamma = bn.weight if bn.weight is not None else torch.ones_like(std)
        beta = bn.bias if bn.bias is not None else torch.zeros_like(std)
        a = gamma / std
        b0 = conv.bias if conv.bias is not None else torch.zeros_like(std)
        fused.weight = nn.Parameter(conv.weight * a.reshape(-1, 1, 1, 1))
        fused.bias = nn.Parameter(a * (b0 - bn.running_mean) + beta)
    return fused
