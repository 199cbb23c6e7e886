# expect: pass
def update_running_stats(running_mean, running_var, num_batches_tracked, x, momentum=0.1):
    k = num_batches_tracked.clone() + 1
    step = 1.0 / float(k) if momentum is None else float(momentum)
    stats = x.transpose(0, 1).flatten(1)          # (C, m)
    mean = stats.mean(1)
    var = ((stats - mean[:, None]) ** 2).sum(1) / (stats.shape[1] - 1)
    return running_mean + step * (mean - running_mean), torch.lerp(running_var, var, step), k
