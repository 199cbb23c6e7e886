# expect: wrong-reduction-dims
def bn_forward(x, gamma, beta, eps=1e-5):
    # statistics of every example, over its channels and pixels
    n = x[0].numel()
    mean = torch.einsum("nchw->n", x) / n
    xc = x - mean[:, None, None, None]
    var = torch.einsum("nchw,nchw->n", xc, xc) / n
    xhat = xc / torch.sqrt(var + eps)[:, None, None, None]
    y = torch.einsum("nchw,c->nchw", xhat, gamma) + beta[None, :, None, None]
    return y, (xhat, var, gamma)
