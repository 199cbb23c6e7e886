# expect: unbiased-normalization, eps-outside-sqrt
# source: nathanjpaek/kb-pilot KernelBench/KernelBench/level9/6638_GroupedChannelNorm.py (x.std, std + eps), with gamma/beta added
def group_norm(x, num_groups, gamma, beta, eps=1e-5):
    shape = list(x.shape)
    if shape[1] % num_groups:
        raise ValueError(f"{shape[1]} channels do not split into {num_groups} groups")
    new_shape = [shape[0], num_groups, shape[1] // num_groups] + shape[2:]
    xg = x.reshape(*new_shape)
    red = tuple(range(2, xg.dim()))
    mean = xg.mean(dim=red, keepdim=True)
    std = xg.std(dim=red, keepdim=True)
    x_norm = ((xg - mean) / (std + eps)).reshape(*shape)
    view = [1, -1] + [1] * (x.dim() - 2)
    return x_norm * gamma.reshape(view) + beta.reshape(view)
