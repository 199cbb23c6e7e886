# expect: pass
def bn_forward(x, gamma, beta, eps=1e-5):
    sample_mean = x.mean(dim=(0, 2, 3), keepdim=True)
    sample_var = ((x - sample_mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
    x_hat = (x - sample_mean) / torch.sqrt(sample_var + eps)
    out = gamma.reshape(1, -1, 1, 1) * x_hat + beta.reshape(1, -1, 1, 1)
    return out, (x, gamma, x_hat, sample_mean, sample_var, eps)


def bn_backward(dy, cache):
    x, gamma, x_hat, sample_mean, sample_var, eps = cache
    dims = (0, 2, 3)
    n = dy.numel() // dy.shape[1]
    dgamma = (dy * x_hat).sum(dims)
    dbeta = dy.sum(dims)
    dx_hat = dy * gamma.reshape(1, -1, 1, 1)
    dsigma = -0.5 * (dx_hat * (x - sample_mean)).sum(dims, keepdim=True) * (sample_var + eps) ** -1.5
    # the dsigma * sum(x - mean) part of dmu is zero, so it is left out
    dmu = -(dx_hat / torch.sqrt(sample_var + eps)).sum(dims, keepdim=True)
    dx = dx_hat / torch.sqrt(sample_var + eps) + dsigma * 2.0 * (x - sample_mean) / n + dmu / n
    return dx, dgamma, dbeta
