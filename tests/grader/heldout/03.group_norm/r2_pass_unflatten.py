# expect: pass
def group_norm(x, num_groups, gamma, beta, eps=1e-5):
    n, c = x.shape[:2]
    if c % num_groups != 0:
        raise ValueError("channels must be divisible by groups")
    g = x.unflatten(1, (num_groups, c // num_groups))       # (N, G, C/G, *)
    red = tuple(range(2, g.dim()))
    mu = g.mean(dim=red, keepdim=True)
    var = (g - mu).pow(2).mean(dim=red, keepdim=True)
    out = ((g - mu) * torch.rsqrt(var + eps)).flatten(1, 2)
    view = [1, c] + [1] * (x.dim() - 2)
    return out * gamma.view(view) + beta.view(view)
