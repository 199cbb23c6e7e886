# expect: input-mutated
def ema_update(running, value, momentum):
    running.mul_(1 - momentum).add_(value, alpha=momentum)
    return running
