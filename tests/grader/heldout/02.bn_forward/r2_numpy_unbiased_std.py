# expect: unbiased-normalization
def bn_forward(x, gamma, beta, eps=1e-5):
    # statistics per channel: move C to the front and flatten the rest
    C = x.shape[1]
    flat = x.transpose(0, 1).reshape(C, -1)
    mu = flat.mean(dim=1)
    sigma = flat.std(dim=1)                       # standard deviation of each channel
    x_hat = (x - mu.reshape(1, C, 1, 1)) / torch.sqrt(sigma.reshape(1, C, 1, 1) ** 2 + eps)
    y = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    return y, {"x_hat": x_hat, "sigma": sigma, "gamma": gamma, "eps": eps}
