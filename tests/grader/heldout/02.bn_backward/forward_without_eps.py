# expect: pass
# bn_backward is right for the forward it is given: the missing eps is bn_forward's mistake,
# charged once, to 02.bn_forward (bn_backward's feedback says so).
def bn_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(dim=(0, 2, 3), keepdim=True)
    sigma = (x - mu).pow(2).mean(dim=(0, 2, 3), keepdim=True).sqrt()
    xhat = (x - mu) / sigma
    return xhat * gamma.view(1, -1, 1, 1) + beta.view(1, -1, 1, 1), (xhat, sigma, gamma)


def bn_backward(dy, cache):
    xhat, sigma, gamma = cache
    dims = (0, 2, 3)
    g = gamma.view(1, -1, 1, 1) / sigma
    dx = g * (dy - dy.mean(dims, keepdim=True) - xhat * (dy * xhat).mean(dims, keepdim=True))
    return dx, (dy * xhat).sum(dims), dy.sum(dims)
