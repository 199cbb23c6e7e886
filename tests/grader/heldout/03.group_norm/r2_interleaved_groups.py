# expect: wrong-reduction-dims
# (first written as `fail`; the statistics are taken over dims (1, 3) of the (N, C/G, G, HW)
# view, i.e. over the wrong dims, which is what wrong-reduction-dims says.)
def group_norm(x, num_groups, gamma, beta, eps=1e-5):
    N, C = x.shape[0], x.shape[1]
    if C % num_groups:
        raise ValueError(f"num_channels ({C}) must be divisible by num_groups ({num_groups})")
    spatial = x.shape[2:]
    # (N, C/G, G, *): group g holds channels g, g + G, g + 2G, ...
    xg = x.reshape(N, C // num_groups, num_groups, -1)
    mean = xg.mean(dim=(1, 3), keepdim=True)
    var = ((xg - mean) ** 2).mean(dim=(1, 3), keepdim=True)
    xhat = ((xg - mean) / torch.sqrt(var + eps)).reshape(N, C, *spatial)
    shape = (1, C) + (1,) * len(spatial)
    return xhat * gamma.reshape(shape) + beta.reshape(shape)
