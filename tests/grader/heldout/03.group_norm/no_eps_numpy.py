# expect: missing-eps
import numpy as np

def group_norm(x, num_groups, gamma, beta, eps=1e-5):
    N, C = x.shape[:2]
    if C % num_groups:
        raise ValueError("bad num_groups")
    a = x.detach().numpy().reshape(N, num_groups, -1)
    a = (a - a.mean(axis=2, keepdims=True)) / a.std(axis=2, keepdims=True)
    s = (1, C) + (1,) * (x.dim() - 2)
    out = torch.from_numpy(a.reshape(tuple(x.shape))).to(x.dtype)
    return out * gamma.reshape(s) + beta.reshape(s)
