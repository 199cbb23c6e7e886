# expect: pass
def ema_update(running, value, momentum):
    return torch.lerp(running, value, momentum)
