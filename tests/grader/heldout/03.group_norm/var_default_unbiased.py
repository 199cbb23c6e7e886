# expect: unbiased-normalization
# source: tong-wu-umn/spike-compression-autoencoder groupnorm.py (GroupNorm.forward, x.var(-1)), as a function
def group_norm(x, num_groups, gamma, beta, eps=1e-5):
    N, C = x.shape[:2]
    G = num_groups
    if C % G != 0:
        raise ValueError("C must be divisible by num_groups")
    xg = x.reshape(N, G, -1)
    mean = xg.mean(-1, keepdim=True)
    var = xg.var(-1, keepdim=True)
    xg = (xg - mean) / (var + eps).sqrt()
    shape = (1, C) + (1,) * (x.dim() - 2)
    return xg.reshape(x.shape) * gamma.reshape(shape) + beta.reshape(shape)
