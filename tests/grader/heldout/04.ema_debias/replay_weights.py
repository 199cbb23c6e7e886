# expect: pass
def ema_debias(running, init, num_updates, momentum):
    # the weight of the initial value after k steps, built up step by step
    left = 1.0
    for _ in range(int(num_updates)):
        left *= 1.0 - momentum
    return (running - left * init) / (1.0 - left)
