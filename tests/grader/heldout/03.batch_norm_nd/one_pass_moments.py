# expect: one-pass-variance
def reduction_dims(ndim):
    return (0,) + tuple(range(2, ndim))


def batch_norm_nd(x, gamma, beta, eps=1e-5):
    dims = reduction_dims(x.dim())
    s1 = x.mean(dim=dims, keepdim=True)
    s2 = x.square().mean(dim=dims, keepdim=True)
    inv = torch.rsqrt(s2 - s1 ** 2 + eps)
    shape = (1, -1) + (1,) * (x.dim() - 2)
    return (x - s1) * inv * gamma.reshape(shape) + beta.reshape(shape)
