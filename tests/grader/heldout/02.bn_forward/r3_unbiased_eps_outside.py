# expect: unbiased-normalization, eps-outside-sqrt
def bn_forward(x, gamma, beta, eps=1e-5):
    mean = torch.mean(x, dim=[0, 2, 3], keepdim=True)
    std = torch.std(x, dim=[0, 2, 3], keepdim=True)
    xhat = (x - mean) / (std + eps)
    y = gamma[None, :, None, None] * xhat + beta[None, :, None, None]
    return y, (x, xhat, mean, std, gamma)
