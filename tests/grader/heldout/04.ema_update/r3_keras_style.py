# expect: keras-momentum
def ema_update(running, value, momentum):
    """Exponential moving average: keep `momentum` of the old value."""
    new = momentum * running + (1.0 - momentum) * value
    return new
