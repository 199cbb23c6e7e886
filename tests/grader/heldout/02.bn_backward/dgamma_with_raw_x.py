# expect: wrong-param-grad
def bn_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(dim=(0, 2, 3), keepdim=True)
    var = ((x - mu) ** 2).mean(dim=(0, 2, 3), keepdim=True)
    xhat = (x - mu) / torch.sqrt(var + eps)
    return gamma.view(1, -1, 1, 1) * xhat + beta.view(1, -1, 1, 1), (x, xhat, var, gamma, eps)


def bn_backward(dy, cache):
    x, xhat, var, gamma, eps = cache
    dims = (0, 2, 3)
    dbeta = dy.sum(dims)
    dgamma = (dy * x).sum(dims)
    dxhat = dy * gamma.view(1, -1, 1, 1)
    dx = (dxhat - dxhat.mean(dims, keepdim=True) - xhat * (dxhat * xhat).mean(dims, keepdim=True)) / torch.sqrt(var + eps)
    return dx, dgamma, dbeta
