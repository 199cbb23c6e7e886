# expect: input-mutated
def bn_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(dim=(0, 2, 3), keepdim=True)
    x -= mu                                   # centre (saves memory)
    var = (x * x).mean(dim=(0, 2, 3), keepdim=True)
    inv_std = 1.0 / torch.sqrt(var + eps)
    x_hat = x * inv_std
    return x_hat * gamma.reshape(1, -1, 1, 1) + beta.reshape(1, -1, 1, 1), (x_hat, inv_std, gamma)
