# expect: keras-momentum, biased-running-var
# source: righterTY/d2l demo7_5.py (batch_norm: moving_mean = momentum * moving_mean + (1.0 - momentum) * mean, biased var)
def update_running_stats(running_mean, running_var, num_batches_tracked, x, momentum=0.1):
    count = num_batches_tracked + 1
    if momentum is None:
        momentum = 1.0 / float(count)
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    var = ((x - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
    moving_mean = momentum * running_mean + (1.0 - momentum) * mean.flatten()
    moving_var = momentum * running_var + (1.0 - momentum) * var.flatten()
    return moving_mean, moving_var, count
