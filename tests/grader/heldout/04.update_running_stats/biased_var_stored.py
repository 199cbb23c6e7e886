# expect: biased-running-var
def update_running_stats(running_mean, running_var, num_batches_tracked, x, momentum=0.1):
    k = num_batches_tracked + 1
    a = 1.0 / k.item() if momentum is None else momentum
    mean = x.mean(dim=(0, 2, 3))
    var = ((x - mean[None, :, None, None]) ** 2).mean(dim=(0, 2, 3))
    return (1 - a) * running_mean + a * mean, (1 - a) * running_var + a * var, k
