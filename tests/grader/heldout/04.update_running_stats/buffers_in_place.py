# expect: input-mutated
@torch.no_grad()
def update_running_stats(running_mean, running_var, num_batches_tracked, x, momentum=0.1):
    k = num_batches_tracked + 1
    w = momentum if momentum is not None else 1.0 / float(k)
    var, mean = torch.var_mean(x, dim=(0, 2, 3), correction=1)
    running_mean.mul_(1 - w).add_(w * mean)
    running_var.mul_(1 - w).add_(w * var)
    return running_mean, running_var, k
