# expect: wrong-reduction-dims
def reduction_dims(ndim):
    return tuple(range(1, ndim))


def batch_norm_nd(x, gamma, beta, eps=1e-5):
    dims = reduction_dims(x.dim())
    mu = x.mean(dims, keepdim=True)
    var = (x - mu).square().mean(dims, keepdim=True)
    shape = (1, -1) + (1,) * (x.dim() - 2)
    return gamma.reshape(shape) * (x - mu) / torch.sqrt(var + eps) + beta.reshape(shape)
