# expect: ignores-affine
def bn_forward(x, gamma, beta, eps=1e-5):
    m = x.mean(dim=(0, 2, 3), keepdim=True)
    d = x - m
    v = d.pow(2).mean(dim=(0, 2, 3), keepdim=True)
    x_hat = d / (v + eps).sqrt()
    cache = (x_hat, v, gamma, beta, eps)
    return x_hat, cache
