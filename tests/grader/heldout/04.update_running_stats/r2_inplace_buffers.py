# expect: input-mutated
def update_running_stats(running_mean, running_var, num_batches_tracked, x, momentum=0.1):
    # the buffers are updated in place, exactly like the module does
    num_batches_tracked += 1
    if momentum is None:
        momentum = 1.0 / num_batches_tracked.item()
    C = x.shape[1]
    xs = x.transpose(0, 1).reshape(C, -1)
    mean = xs.mean(dim=1)
    var = ((xs - mean[:, None]) ** 2).sum(dim=1) / (xs.shape[1] - 1)
    running_mean.mul_(1 - momentum).add_(momentum * mean)
    running_var.mul_(1 - momentum).add_(momentum * var)
    return running_mean, running_var, num_batches_tracked
