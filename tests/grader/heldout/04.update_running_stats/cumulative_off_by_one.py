# expect: no-cumulative-average
def update_running_stats(running_mean, running_var, num_batches_tracked, x, momentum=0.1):
    if momentum is None:
        # cumulative average: weight 1/k, k = batches seen so far
        weight = 1.0 / max(int(num_batches_tracked), 1)
    else:
        weight = momentum
    dims = (0, 2, 3)
    m = x.numel() // x.shape[1]
    mean = x.mean(dims)
    var_b = ((x - mean[None, :, None, None]) ** 2).mean(dims)
    var_u = var_b * m / (m - 1)
    new_mean = running_mean + weight * (mean - running_mean)
    new_var = running_var + weight * (var_u - running_var)
    return new_mean, new_var, num_batches_tracked + 1
