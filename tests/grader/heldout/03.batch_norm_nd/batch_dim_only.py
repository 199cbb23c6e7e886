# expect: wrong-reduction-dims
def batch_norm_nd(x, gamma, beta, eps=1e-5):
    # like BatchNorm1d: statistics over the batch
    shape = [1] * x.dim()
    shape[1] = -1
    mean = x.mean(0, keepdim=True)
    var = ((x - mean) ** 2).mean(0, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * gamma.reshape(shape) + beta.reshape(shape)
