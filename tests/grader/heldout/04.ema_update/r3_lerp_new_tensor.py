# expect: pass
def ema_update(running, value, momentum):
    # lerp moves `running` a fraction `momentum` of the way to `value`
    return torch.lerp(running, value.to(running.dtype), momentum)
