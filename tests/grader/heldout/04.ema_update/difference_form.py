# expect: pass
def ema_update(running, value, momentum):
    # move a fraction `momentum` of the way towards the new value
    return running + momentum * (value - running)
