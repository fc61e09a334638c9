"""float64 convolutions, pooling and resampling as torch 1.13 computes them on the CPU: conv2d
(groups, stride, dilation, padding, 'same'), conv_transpose2d, conv1d, conv_transpose1d,
max_pool2d with indices, avg_pool2d (ceil_mode, count_include_pad),
adaptive_avg_pool2d and interpolate (bilinear, with and without align_corners), each with the
gradients of every input for a random output gradient. Run:
/usr/bin/python3 scripts/gen_fixtures_float64_conv.py (writes test/fixtures/float64_conv.json)."""
import torch
import torch.nn.functional as F

from float64_fixtures import enc, r, write_fixture

torch.manual_seed(0)


cases = []


def case(op, args, kwargs, fn, note):
    """args: tensors (each gets a gradient) or None (an absent bias); kwargs: the options."""
    leaves = [None if a is None else a.clone().requires_grad_(True) for a in args]
    res = fn(*leaves, **kwargs)
    out, idx = (res[0], res[1]) if isinstance(res, tuple) else (res, None)
    assert out.dtype == torch.float64, (op, out.dtype)
    g = r(*out.shape)
    out.backward(g)
    c = {
        "op": op,
        "note": note,
        "args": [None if a is None else enc(a) for a in args],
        "kwargs": kwargs,
        "out": enc(out.detach()),
        "gradOut": enc(g),
        "grads": [None if l is None else enc(l.grad) for l in leaves],
    }
    if idx is not None:
        c["indices"] = enc(idx)
    cases.append(c)


case("conv2d", [r(2, 4, 7, 6), r(6, 2, 3, 2), r(6)], dict(stride=[2, 1], padding=[1, 2], dilation=[1, 2], groups=2), F.conv2d, "groups, stride, padding, dilation")
case("conv2d", [r(2, 3, 9, 9), r(5, 3, 3, 3), None], dict(padding="same"), F.conv2d, "padding same, no bias")
case("conv2d", [r(3, 8, 6, 5), r(16, 8, 1, 1), r(16)], dict(), F.conv2d, "1x1")
case("conv_transpose2d", [r(2, 4, 3, 4), r(4, 3, 3, 3), r(6)], dict(stride=2, padding=1, output_padding=1, groups=2), F.conv_transpose2d, "stride, padding, output_padding, groups")
case("conv_transpose2d", [r(1, 3, 4, 4), r(3, 2, 2, 3), None], dict(stride=[1, 2], dilation=[2, 1]), F.conv_transpose2d, "dilation, no bias")
case("conv1d", [r(2, 3, 11), r(4, 3, 3), r(4)], dict(stride=2, padding=1, dilation=2), F.conv1d, "stride, padding, dilation")
case("conv_transpose1d", [r(2, 3, 5), r(3, 2, 4), r(2)], dict(stride=3, padding=1), F.conv_transpose1d, "stride, padding")
case("max_pool2d", [r(2, 3, 7, 6)], dict(kernel_size=3, stride=2, padding=1, return_indices=True), F.max_pool2d, "indices, padding")
case("max_pool2d", [r(1, 2, 8, 7)], dict(kernel_size=[2, 3], stride=[2, 2], dilation=[2, 1], ceil_mode=True, return_indices=True), F.max_pool2d, "dilation, ceil_mode")
case("avg_pool2d", [r(2, 3, 7, 6)], dict(kernel_size=3, stride=2, padding=1), F.avg_pool2d, "padding counted")
case("avg_pool2d", [r(1, 2, 7, 7)], dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), F.avg_pool2d, "ceil_mode, padding not counted")
case("adaptive_avg_pool2d", [r(2, 3, 7, 9)], dict(output_size=[3, 4]), F.adaptive_avg_pool2d, "7x9 to 3x4")
case("interpolate", [r(2, 3, 4, 5)], dict(size=[7, 9], mode="bilinear", align_corners=False), F.interpolate, "bilinear")
case("interpolate", [r(1, 2, 5, 4)], dict(scale_factor=1.5, mode="bilinear", align_corners=True), F.interpolate, "bilinear, align_corners")

write_fixture("float64_conv", {"cases": cases}, f"{len(cases)} cases")
