# expect: input-mutated, biased-running-var
def update_running_stats(running_mean, running_var, num_batches_tracked, x, momentum=0.1):
    num_batches_tracked += 1
    if momentum is None:
        a = 1.0 / float(num_batches_tracked)
    else:
        a = momentum
    with torch.no_grad():
        mu = x.mean(dim=(0, 2, 3))
        var = x.var(dim=(0, 2, 3), unbiased=False)
        running_mean.mul_(1 - a).add_(a * mu)
        running_var.mul_(1 - a).add_(a * var)
    return running_mean, running_var, num_batches_tracked
