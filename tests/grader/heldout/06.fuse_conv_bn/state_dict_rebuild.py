# expect: pass
import copy

def fuse_conv_bn(conv, bn):
    a = bn.running_var.add(bn.eps).rsqrt()
    if bn.weight is not None:
        a = a * bn.weight.detach()
    c = torch.zeros_like(a) if conv.bias is None else conv.bias.detach()
    beta = torch.zeros_like(a) if bn.bias is None else bn.bias.detach()
    fused = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, stride=conv.stride,
                      padding=conv.padding, dilation=conv.dilation, groups=conv.groups, bias=True,
                      padding_mode=conv.padding_mode, dtype=conv.weight.dtype)
    fused.load_state_dict({"weight": conv.weight.detach() * a.reshape(-1, 1, 1, 1),
                           "bias": a * (c - bn.running_mean) + beta})
    return fused
