# expect: one-pass-variance
def group_norm(x, num_groups, gamma, beta, eps=1e-5):
    N, C = x.shape[:2]
    if C % num_groups:
        raise ValueError("C % num_groups != 0")
    xg = x.reshape(N, num_groups, -1)
    m1 = xg.mean(-1, keepdim=True)
    m2 = (xg * xg).mean(-1, keepdim=True)
    xn = (xg - m1) / torch.sqrt(m2 - m1 * m1 + eps)
    s = (1, C) + (1,) * (x.dim() - 2)
    return xn.reshape(x.shape) * gamma.reshape(s) + beta.reshape(s)
