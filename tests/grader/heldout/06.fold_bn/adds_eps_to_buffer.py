# expect: input-mutated
def fold_bn(bn):
    with torch.no_grad():
        var = bn.running_var
        var += bn.eps
        scale = 1 / var.sqrt()
        if bn.weight is not None:
            scale = scale * bn.weight
        shift = -bn.running_mean * scale
        if bn.bias is not None:
            shift = shift + bn.bias
    return scale, shift
