# expect: missing-eps
import numpy as np

def bn_forward(x, gamma, beta, eps=1e-5):
    a = x.detach().cpu().numpy()
    mu = a.mean(axis=(0, 2, 3), keepdims=True)
    var = ((a - mu) ** 2).mean(axis=(0, 2, 3), keepdims=True)
    xhat = (a - mu) / np.sqrt(var)
    g = gamma.detach().cpu().numpy().reshape(1, -1, 1, 1)
    b = beta.detach().cpu().numpy().reshape(1, -1, 1, 1)
    y = torch.from_numpy(np.ascontiguousarray(g * xhat + b)).to(dtype=x.dtype, device=x.device)
    return y, (torch.from_numpy(xhat), torch.from_numpy(var))
