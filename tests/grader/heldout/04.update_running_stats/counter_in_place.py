# expect: input-mutated
def update_running_stats(running_mean, running_var, num_batches_tracked, x, momentum=0.1):
    num_batches_tracked += 1
    f = 1 / int(num_batches_tracked) if momentum is None else momentum
    n = x.numel() // x.size(1)
    mu = x.mean((0, 2, 3))
    var = (x - mu.view(1, -1, 1, 1)).pow(2).sum((0, 2, 3)) / (n - 1)
    return running_mean * (1 - f) + mu * f, running_var * (1 - f) + var * f, num_batches_tracked
