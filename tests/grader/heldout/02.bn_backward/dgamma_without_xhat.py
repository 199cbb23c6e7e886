# expect: wrong-param-grad
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
    g = gamma.view(1, -1, 1, 1)
    dx = g * inv_std * (dy - dy.mean(dims, keepdim=True) - x_hat * (dy * x_hat).mean(dims, keepdim=True))
    dgamma = dy.sum(dims)
    dbeta = dy.sum(dims)
    return dx, dgamma, dbeta
