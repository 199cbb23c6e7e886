# expect: eps-outside-sqrt
def bn_forward(x, gamma, beta, eps=1e-5):
    C = x.shape[1]
    out = torch.empty_like(x)
    stats = []
    for c in range(C):
        xc = x[:, c]
        mu = xc.mean()
        sigma = ((xc - mu) ** 2).mean().sqrt()
        out[:, c] = gamma[c] * (xc - mu) / (sigma + eps) + beta[c]
        stats.append((mu, sigma))
    return out, (x, gamma, stats, eps)
