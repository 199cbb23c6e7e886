# expect: no-cumulative-average
def update_running_stats(running_mean, running_var, num_batches_tracked, x, momentum=0.1):
    if momentum is None:
        momentum = 0.1          # torch's default
    C = x.shape[1]
    flat = x.transpose(0, 1).reshape(C, -1)
    mean = flat.mean(1)
    var = flat.var(1, unbiased=True)
    new_mean = (1 - momentum) * running_mean + momentum * mean
    new_var = (1 - momentum) * running_var + momentum * var
    return new_mean, new_var, num_batches_tracked + 1
