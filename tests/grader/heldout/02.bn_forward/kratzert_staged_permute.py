# expect: pass
# source: ForrestPi/ObjectDetection syncbn/batchNorm.md (kratzert's staged batchnorm_forward), NCHW via permute
def bn_forward(x, gamma, beta, eps=1e-5):
    N, C, H, W = x.shape
    flat = x.permute(0, 2, 3, 1).reshape(-1, C)        # (N*H*W, C) like the (N, D) version
    M = flat.shape[0]
    mu = 1.0 / M * flat.sum(dim=0)                      # step 1
    xmu = flat - mu                                     # step 2
    sq = xmu ** 2                                       # step 3
    var = 1.0 / M * sq.sum(dim=0)                       # step 4
    sqrtvar = torch.sqrt(var + eps)                     # step 5
    ivar = 1.0 / sqrtvar                                # step 6
    xhat = xmu * ivar                                   # step 7
    out = gamma * xhat + beta                           # steps 8, 9
    y = out.reshape(N, H, W, C).permute(0, 3, 1, 2)
    return y, (xhat, gamma, xmu, ivar, sqrtvar, var, eps, x.shape)
