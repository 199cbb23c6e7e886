# expect: unbiased-normalization
def reduction_dims(ndim):
    return (0,) + tuple(range(2, ndim))


def batch_norm_nd(x, gamma, beta, eps=1e-5):
    dims = reduction_dims(x.dim())
    mu = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, unbiased=True, keepdim=True)
    shape = (1, -1) + (1,) * (x.dim() - 2)
    return (x - mu) / (var + eps).sqrt() * gamma.reshape(shape) + beta.reshape(shape)
