# expect: pass
# source: Zeqiang-Lai/CS231n assigment2/cs231n/layers.py (batchnorm_forward/batchnorm_backward, staged graph), as (C, m) torch
def bn_forward(x, gamma, beta, eps=1e-5):
    N, C, H, W = x.shape
    flat = x.transpose(0, 1).reshape(C, -1)           # (C, m)
    m = flat.shape[1]
    mu = flat.sum(dim=1, keepdim=True) / m
    xmu = flat - mu
    var = (xmu ** 2).sum(dim=1, keepdim=True) / m
    sqrtvar = torch.sqrt(var + eps)
    ivar = 1.0 / sqrtvar
    xhat = xmu * ivar
    out = gamma[:, None] * xhat + beta[:, None]
    y = out.reshape(C, N, H, W).transpose(0, 1)
    return y, (xhat, gamma, xmu, ivar, sqrtvar, var, eps, x.shape)


def bn_backward(dy, cache):
    xhat, gamma, xmu, ivar, sqrtvar, var, eps, shape = cache
    N, C, H, W = shape
    dout = dy.transpose(0, 1).reshape(C, -1)
    m = dout.shape[1]
    dbeta = dout.sum(dim=1)
    dgamma = (dout * xhat).sum(dim=1)
    dxhat = dout * gamma[:, None]
    divar = (dxhat * xmu).sum(dim=1, keepdim=True)
    dxmu1 = dxhat * ivar
    dsqrtvar = -1.0 / sqrtvar ** 2 * divar
    dvar = 0.5 / torch.sqrt(var + eps) * dsqrtvar
    dsq = torch.ones_like(dout) * dvar / m
    dxmu2 = 2 * xmu * dsq
    dx1 = dxmu1 + dxmu2
    dmu = -(dxmu1 + dxmu2).sum(dim=1, keepdim=True)
    dx2 = torch.ones_like(dout) * dmu / m
    dx = (dx1 + dx2).reshape(C, N, H, W).transpose(0, 1)
    return dx, dgamma, dbeta
