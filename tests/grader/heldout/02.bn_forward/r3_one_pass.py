# expect: one-pass-variance
def bn_forward(x, gamma, beta, eps=1e-5):
    dims = (0, 2, 3)
    mu = x.mean(dim=dims, keepdim=True)
    sq = (x ** 2).mean(dim=dims, keepdim=True)
    var = sq - mu ** 2
    inv_std = (var + eps).rsqrt()
    x_hat = (x - mu) * inv_std
    g = gamma.reshape(1, -1, 1, 1)
    b = beta.reshape(1, -1, 1, 1)
    return g * x_hat + b, (x_hat, inv_std, gamma)
