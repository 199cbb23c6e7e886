# expect: dx-missing-mean-term, dx-missing-var-term
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
    dx = dy * gamma.view(1, -1, 1, 1) * inv_std      # y = gamma * (x - mu) / sigma
    dgamma = torch.sum(dy * x_hat, dim=(0, 2, 3))
    dbeta = torch.sum(dy, dim=(0, 2, 3))
    return dx, dgamma, dbeta
