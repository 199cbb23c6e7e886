# expect: one-pass-variance
def bn_forward(x, gamma, beta, eps=1e-5):
    dims = [0, 2, 3]
    ex = x.mean(dims, keepdim=True)
    ex2 = (x * x).mean(dims, keepdim=True)
    var = ex2 - ex * ex                     # Var = E[x^2] - E[x]^2
    inv = (var + eps).rsqrt()
    xh = (x - ex) * inv
    return xh * gamma.reshape(1, -1, 1, 1) + beta.reshape(1, -1, 1, 1), (xh, inv, gamma)
