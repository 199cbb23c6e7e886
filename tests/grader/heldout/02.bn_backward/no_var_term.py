# expect: dx-missing-var-term
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
    m = dy.numel() // dy.shape[1]
    dxhat = dy * gamma[None, :, None, None]
    dmu = -(dxhat * inv_std).sum(dims, keepdim=True)
    dx = dxhat * inv_std + dmu / m
    return dx, (dy * x_hat).sum(dims), dy.sum(dims)
