# expect: pass
def update_running_stats(running_mean, running_var, num_batches_tracked, x, momentum=0.1):
    k = num_batches_tracked + 1
    a = momentum if momentum is not None else 1.0 / k.item()
    batch_mean = torch.mean(x, dim=[0, 2, 3])
    dev = x - batch_mean[None, :, None, None]
    m = x.numel() // x.size(1)
    batch_var = torch.sum(dev * dev, dim=[0, 2, 3]) / (m - 1)
    # r + a (v - r) is the same step as (1 - a) r + a v
    new_mean = running_mean + a * (batch_mean - running_mean)
    new_var = running_var + a * (batch_var - running_var)
    return new_mean, new_var, k
