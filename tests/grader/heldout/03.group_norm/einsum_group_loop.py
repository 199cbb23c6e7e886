# expect: pass
def group_norm(x, num_groups, gamma, beta, eps=1e-5):
    N, C = x.shape[:2]
    if C % num_groups != 0:
        raise ValueError(f"num_channels ({C}) must be divisible by num_groups ({num_groups})")
    k = C // num_groups
    pieces = []
    for g in range(num_groups):
        xs = x[:, g * k:(g + 1) * k].reshape(N, -1)
        mu = xs.mean(1, keepdim=True)
        d = xs - mu
        var = torch.einsum("ni,ni->n", d, d)[:, None] / d.shape[1]
        pieces.append((d / torch.sqrt(var + eps)).reshape(x[:, g * k:(g + 1) * k].shape))
    xn = torch.cat(pieces, dim=1)
    return torch.einsum("nc...,c->nc...", xn, gamma) + beta.reshape((1, C) + (1,) * (x.dim() - 2))
