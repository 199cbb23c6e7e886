# expect: pass
def bn_forward(x, gamma, beta, eps=1e-5):
    var, mean = torch.var_mean(x, dim=(0, 2, 3), correction=0, keepdim=True)
    inv = torch.rsqrt(var + eps)
    xhat = (x - mean) * inv
    y = torch.addcmul(beta.view(1, -1, 1, 1), xhat, gamma.view(1, -1, 1, 1))
    return y, (xhat, inv, gamma)
