# expect: debias-ignores-init
def ema_debias(running, init, num_updates, momentum):
    # bias correction as in Adam: divide by 1 - beta^k
    k = int(num_updates)
    return running / (1 - (1 - momentum) ** k)
