# expect: wrong-reduction-dims
# source: bilgekul/custom-GAN- CustomBN.py (BatchNorm.forward, mean/var over dim=0), as a function
def bn_forward(x, gamma, beta, eps=1e-5):
    # the batch statistics: average over the examples of the batch
    mean = x.mean(dim=0, keepdim=True)
    var = x.var(dim=0, unbiased=False, keepdim=True)
    xn = (x - mean) / torch.sqrt(var + eps)
    return gamma.view(1, -1, 1, 1) * xn + beta.view(1, -1, 1, 1), (xn, var, gamma)
