# expect: dtype-changed
import numpy as np

def fold_bn(bn):
    var = bn.running_var.numpy().astype(np.float32)
    mean = bn.running_mean.numpy().astype(np.float32)
    w = bn.weight.detach().numpy() if bn.weight is not None else np.ones_like(var)
    b = bn.bias.detach().numpy() if bn.bias is not None else np.zeros_like(var)
    scale = w / np.sqrt(var + bn.eps)
    return torch.from_numpy(scale.astype(np.float32)), torch.from_numpy((b - mean * scale).astype(np.float32))
