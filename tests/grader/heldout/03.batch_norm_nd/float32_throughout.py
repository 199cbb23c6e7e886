# expect: dtype-changed
def reduction_dims(ndim):
    return (0,) + tuple(range(2, ndim))


def batch_norm_nd(x, gamma, beta, eps=1e-5):
    x = x.float()
    dims = reduction_dims(x.dim())
    mean = x.mean(dims, keepdim=True)
    var = ((x - mean) ** 2).mean(dims, keepdim=True)
    shape = (1, -1) + (1,) * (x.dim() - 2)
    return (x - mean) / torch.sqrt(var + eps) * gamma.float().reshape(shape) + beta.float().reshape(shape)
