# expect: pass
def bn_forward(x, gamma, beta, eps=1e-5):
    """Normalize one channel at a time (easier for me to follow)."""
    ys, stats = [], []
    for c in range(x.shape[1]):
        xc = x[:, c, :, :]
        mu = xc.mean()
        d = xc - mu
        var = (d * d).mean()
        inv = 1.0 / torch.sqrt(var + eps)
        xhat = d * inv
        ys.append(gamma[c] * xhat + beta[c])
        stats.append((xhat, inv))
    y = torch.stack(ys, dim=1)
    x_hat = torch.stack([s[0] for s in stats], dim=1)
    inv_std = torch.stack([s[1] for s in stats])
    return y, (x_hat, inv_std, gamma)
