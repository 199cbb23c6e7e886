# expect: keras-momentum
def ema_debias(running, init, num_updates, momentum):
    k = int(num_updates)
    decay = momentum ** k          # weight left on the initial value
    return (running - decay * init) / (1 - decay)
