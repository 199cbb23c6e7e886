# expect: missing-eps
def batch_norm_nd(x, gamma, beta, eps=1e-5):
    outs = []
    for c in range(x.shape[1]):
        xc = x.select(1, c)
        mu = xc.mean()
        sd = (xc - mu).pow(2).mean().sqrt()
        outs.append(gamma[c] * (xc - mu) / sd + beta[c])
    return torch.stack(outs, dim=1)
