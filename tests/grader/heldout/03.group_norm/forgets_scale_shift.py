# expect: ignores-affine
def group_norm(x, num_groups, gamma, beta, eps=1e-5):
    N, C = x.shape[:2]
    if C % num_groups != 0:
        raise ValueError("C must be a multiple of num_groups")
    xg = x.reshape(N, num_groups, -1)
    var, mean = torch.var_mean(xg, dim=-1, keepdim=True, correction=0)
    return ((xg - mean) * torch.rsqrt(var + eps)).reshape(x.shape)
