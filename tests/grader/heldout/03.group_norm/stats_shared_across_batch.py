# expect: wrong-reduction-dims
def group_norm(x, num_groups, gamma, beta, eps=1e-5):
    N, C = x.shape[0], x.shape[1]
    if C % num_groups != 0:
        raise ValueError("channels not divisible by groups")
    xg = x.reshape(N, num_groups, -1)
    mean = xg.mean(dim=(0, 2), keepdim=True)
    var = ((xg - mean) ** 2).mean(dim=(0, 2), keepdim=True)
    xn = ((xg - mean) / torch.sqrt(var + eps)).reshape(x.shape)
    s = (1, C) + (1,) * (x.dim() - 2)
    return xn * gamma.view(s) + beta.view(s)
