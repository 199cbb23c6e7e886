# expect: eps-outside-sqrt
def fold_bn(bn):
    mean, var = bn.running_mean, bn.running_var
    gamma = bn.weight.detach() if bn.affine else torch.ones_like(var)
    beta = bn.bias.detach() if bn.bias is not None else torch.zeros_like(mean)
    scale = gamma / (torch.sqrt(var) + bn.eps)
    shift = beta - mean * scale
    return scale, shift
