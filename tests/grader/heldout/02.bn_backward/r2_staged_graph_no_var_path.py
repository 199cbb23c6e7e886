# expect: dx-missing-var-term
def bn_forward(x, gamma, beta, eps=1e-5):
    dims = (0, 2, 3)
    mu = x.mean(dim=dims, keepdim=True)
    xmu = x - mu
    sq = xmu ** 2
    var = sq.mean(dim=dims, keepdim=True)
    sqrtvar = torch.sqrt(var + eps)
    ivar = 1.0 / sqrtvar
    xhat = xmu * ivar
    g = gamma.reshape(1, -1, 1, 1)
    y = g * xhat + beta.reshape(1, -1, 1, 1)
    return y, (xhat, g, xmu, ivar, sqrtvar, var, eps)


def bn_backward(dy, cache):
    # step-by-step through the computational graph, node by node
    xhat, g, xmu, ivar, sqrtvar, var, eps = cache
    dims = (0, 2, 3)
    m = dy.numel() // dy.shape[1]
    dbeta = dy.sum(dim=dims)
    dgamma = (dy * xhat).sum(dim=dims)
    dxhat = dy * g
    # xhat = xmu * ivar; ivar depends only on the variance, a per-channel number
    dxmu = dxhat * ivar
    # xmu = x - mu
    dx1 = dxmu
    dmu = -dxmu.sum(dim=dims, keepdim=True)
    dx2 = dmu / m
    dx = dx1 + dx2
    return dx, dgamma, dbeta
