# expect: pass
# source: righterTY/d2l demo7_5.py (batch_norm, separate 2-D and 4-D branches), extended to ranks 3 and 5
def batch_norm_nd(x, gamma, beta, eps=1e-5):
    assert 2 <= x.dim() <= 5
    if x.dim() == 2:
        mean = x.mean(dim=0)
        var = ((x - mean) ** 2).mean(dim=0)
        g, b = gamma, beta
    else:
        dims = (0,) + tuple(range(2, x.dim()))
        mean = x.mean(dim=dims, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
        g = gamma.reshape(mean.shape)
        b = beta.reshape(mean.shape)
    x_hat = (x - mean) / torch.sqrt(var + eps)
    return g * x_hat + b
