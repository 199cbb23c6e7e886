# expect: ignores-affine
def fold_bn(bn):
    inv = torch.rsqrt(bn.running_var + bn.eps)
    return inv, -bn.running_mean * inv
