# expect: input-mutated
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
    dy -= dy.mean(dims, keepdim=True)
    dy -= x_hat * dgamma.view(1, -1, 1, 1) / (dy.numel() // dy.shape[1])
    return gamma.view(1, -1, 1, 1) * inv_std * dy, dgamma, dbeta
