# expect: pass
import math

def fold_bn(bn):
    C = bn.num_features
    scale = torch.empty(C, dtype=bn.running_var.dtype)
    shift = torch.empty(C, dtype=bn.running_var.dtype)
    for c in range(C):
        g = 1.0 if bn.weight is None else bn.weight[c].item()
        b = 0.0 if bn.bias is None else bn.bias[c].item()
        a = g / math.sqrt(bn.running_var[c].item() + bn.eps)
        scale[c] = a
        shift[c] = b - a * bn.running_mean[c].item()
    return scale, shift
