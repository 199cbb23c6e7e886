# expect: dx-missing-mean-term
def bn_forward(x, gamma, beta, eps=1e-5):
    dims = (0, 2, 3)
    mean = x.mean(dim=dims, keepdim=True)
    xc = x - mean
    var = (xc * xc).mean(dim=dims, keepdim=True)
    inv_std = torch.rsqrt(var + eps)
    x_hat = xc * inv_std
    return x_hat * gamma[None, :, None, None] + beta[None, :, None, None], (x_hat, inv_std, gamma)


def bn_backward(dy, cache):
    x_hat, inv_std, gamma = cache
    dims = (0, 2, 3)
    dbeta = dy.sum(dims)
    dgamma = (dy * x_hat).sum(dims)
    # dx_hat / dx = inv_std, plus the path through the variance
    dx = gamma[None, :, None, None] * inv_std * (dy - x_hat * (dy * x_hat).mean(dims, keepdim=True))
    return dx, dgamma, dbeta
