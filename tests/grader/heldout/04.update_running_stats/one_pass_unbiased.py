# expect: one-pass-variance
def update_running_stats(running_mean, running_var, num_batches_tracked, x, momentum=0.1):
    count = num_batches_tracked + 1
    alpha = momentum if momentum is not None else 1.0 / count.item()
    n = x.numel() / x.shape[1]
    s1 = x.sum(dim=(0, 2, 3))
    s2 = (x * x).sum(dim=(0, 2, 3))
    mean = s1 / n
    var = (s2 - n * mean * mean) / (n - 1)
    return (1 - alpha) * running_mean + alpha * mean, (1 - alpha) * running_var + alpha * var, count
