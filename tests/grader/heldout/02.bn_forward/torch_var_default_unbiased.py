# expect: unbiased-normalization
def bn_forward(x, gamma, beta, eps=1e-5):
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    var = x.var(dim=(0, 2, 3), keepdim=True)   # variance of the batch
    x_hat = (x - mean) / torch.sqrt(var + eps)
    y = gamma[None, :, None, None] * x_hat + beta[None, :, None, None]
    return y, (x_hat, var, gamma, eps)
