# expect: unbiased-normalization, eps-outside-sqrt
def bn_forward(x, gamma, beta, eps=1e-5):
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    std = x.std(dim=(0, 2, 3), keepdim=True)
    x_hat = (x - mean) / (std + eps)
    shape = (1, x.shape[1], 1, 1)
    return gamma.reshape(shape) * x_hat + beta.reshape(shape), (x_hat, std, gamma)
