# expect: no-cumulative-average
def update_running_stats(running_mean, running_var, num_batches_tracked, x, momentum=0.1):
    C = x.shape[1]
    flat = x.transpose(0, 1).reshape(C, -1)
    m = flat.shape[1]
    mean = flat.mean(dim=1)
    var = ((flat - mean[:, None]) ** 2).sum(dim=1) / (m - 1)
    if momentum is None:
        # average of the k batches seen before this one
        k = num_batches_tracked.item()
        alpha = 1.0 / (k + 2)
    else:
        alpha = momentum
    new_mean = (1 - alpha) * running_mean + alpha * mean
    new_var = (1 - alpha) * running_var + alpha * var
    return new_mean, new_var, num_batches_tracked + 1
