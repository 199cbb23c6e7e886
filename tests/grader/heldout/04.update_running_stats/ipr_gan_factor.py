# expect: pass
# source: dingsheng-ong/ipr-gan models/custom.py (BatchNorm2d.forward: exponential_average_factor, var * n / (n - 1))
def update_running_stats(running_mean, running_var, num_batches_tracked, x, momentum=0.1):
    if momentum is None:
        exponential_average_factor = 0.0
    else:
        exponential_average_factor = momentum
    num_batches_tracked = num_batches_tracked + 1
    if momentum is None:  # use cumulative moving average
        exponential_average_factor = 1.0 / float(num_batches_tracked)
    mean = x.mean([0, 2, 3])
    var = x.var([0, 2, 3], unbiased=False)
    n = x.numel() / x.size(1)
    new_mean = exponential_average_factor * mean + (1 - exponential_average_factor) * running_mean
    new_var = exponential_average_factor * var * n / (n - 1) + (1 - exponential_average_factor) * running_var
    return new_mean, new_var, num_batches_tracked
