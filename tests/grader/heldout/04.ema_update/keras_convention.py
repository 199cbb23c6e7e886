# expect: keras-momentum
# source: jodusan/dstl README.md (cs231n batchnorm_forward: running_mean = momentum * running_mean + (1 - momentum) * sample_mean)
def ema_update(running, value, momentum):
    return momentum * running + (1 - momentum) * value
