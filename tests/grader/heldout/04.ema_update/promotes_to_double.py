# expect: dtype-changed
def ema_update(running, value, momentum):
    m = torch.tensor(momentum, dtype=torch.float64)
    return (1 - m) * running.to(torch.float64) + m * value.to(torch.float64)
