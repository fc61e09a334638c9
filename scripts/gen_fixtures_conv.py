"""Golden values for conv1d/conv2d/convTranspose1d/2d and the pooling ops from PyTorch
(Debian's python3-torch). Run: /usr/bin/python3 scripts/gen_fixtures_conv.py
Writes test/fixtures/conv.json: per op a list of cases (inputs, options in myelin's camelCase,
output, output gradient, input gradients)."""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)


def enc(x):
    dt = {torch.float32: "float32", torch.int64: "int32", torch.int32: "int32"}[x.dtype]
    vals = x.detach().reshape(-1).tolist()
    if dt == "float32":
        vals = [float("%.8g" % v) for v in vals]
    return {"shape": list(x.shape), "dtype": dt, "data": vals}


def run(name, fn, shapes, args, torch_kw, indices=False):
    inputs = [torch.randn(s).requires_grad_() if s is not None else None for s in shapes]
    res = fn(*inputs, **torch_kw)
    idx = None
    if indices:
        res, idx = res
    g = torch.randn(res.shape)
    res.backward(g)
    case = {"name": name, "args": args, "inputs": [enc(x) for x in inputs if x is not None],
            "output": enc(res), "gradOutput": enc(g),
            "grads": [enc(x.grad) for x in inputs if x is not None]}
    if idx is not None:
        case["indices"] = enc(idx)
    return case


out = {"torch": torch.__version__}

out["conv2d"] = [
    run("3x3 pad 1 bias", F.conv2d, [(2, 3, 5, 6), (4, 3, 3, 3), (4,)], {"padding": 1}, {"padding": 1}),
    run("stride > kernel, odd", F.conv2d, [(1, 2, 9, 7), (3, 2, 2, 2), (3,)], {"stride": [3, 4]}, {"stride": (3, 4)}),
    run("dilation, padding > kernel", F.conv2d, [(2, 2, 5, 4), (3, 2, 3, 2), None],
        {"padding": [4, 3], "dilation": [2, 3]}, {"padding": (4, 3), "dilation": (2, 3)}),
    run("groups", F.conv2d, [(2, 4, 5, 5), (6, 2, 3, 3), (6,)], {"groups": 2, "stride": 2}, {"groups": 2, "stride": 2}),
    run("depthwise", F.conv2d, [(1, 3, 6, 5), (6, 1, 3, 3), (6,)], {"groups": 3, "padding": 1}, {"groups": 3, "padding": 1}),
    run("1x1", F.conv2d, [(2, 5, 3, 4), (3, 5, 1, 1), (3,)], {}, {}),
    run("same even kernel", F.conv2d, [(1, 2, 5, 6), (2, 2, 4, 2), (2,)], {"padding": "same"}, {"padding": "same"}),
    run("same dilated", F.conv2d, [(1, 2, 7, 6), (3, 2, 3, 3), None], {"padding": "same", "dilation": 2},
        {"padding": "same", "dilation": 2}),
    run("valid unbatched", F.conv2d, [(2, 6, 5), (3, 2, 3, 2), (3,)], {"padding": "valid"}, {"padding": "valid"}),
]
out["conv1d"] = [
    run("stride dilation padding", F.conv1d, [(2, 3, 11), (4, 3, 3), (4,)], {"stride": 2, "padding": 2, "dilation": 2},
        {"stride": 2, "padding": 2, "dilation": 2}),
    run("groups same", F.conv1d, [(1, 4, 8), (4, 2, 4), None], {"groups": 2, "padding": "same"}, {"groups": 2, "padding": "same"}),
]
out["convTranspose2d"] = [
    run("stride 2", F.conv_transpose2d, [(2, 3, 4, 3), (3, 2, 3, 3), (2,)], {"stride": 2}, {"stride": 2}),
    run("padding outputPadding", F.conv_transpose2d, [(1, 2, 3, 4), (2, 3, 3, 2), (3,)],
        {"stride": [2, 3], "padding": [1, 0], "outputPadding": [1, 2]}, {"stride": (2, 3), "padding": (1, 0), "output_padding": (1, 2)}),
    run("groups dilation", F.conv_transpose2d, [(2, 4, 3, 3), (4, 1, 2, 3), None], {"groups": 2, "dilation": [2, 1], "padding": 1},
        {"groups": 2, "dilation": (2, 1), "padding": 1}),
    run("outputPadding < dilation", F.conv_transpose2d, [(1, 2, 3, 3), (2, 2, 3, 3), (2,)], {"dilation": 3, "outputPadding": 2},
        {"dilation": 3, "output_padding": 2}),
    run("padding > dilated kernel", F.conv_transpose2d, [(1, 2, 5, 5), (2, 2, 3, 3), None], {"stride": 2, "padding": 3},
        {"stride": 2, "padding": 3}),
]
out["convTranspose1d"] = [
    run("stride padding", F.conv_transpose1d, [(2, 3, 5), (3, 2, 4), (2,)], {"stride": 3, "padding": 1, "outputPadding": 1},
        {"stride": 3, "padding": 1, "output_padding": 1}),
]


def mp2(x, **kw):
    return F.max_pool2d(x, return_indices=True, **kw)


def mp1(x, **kw):
    return F.max_pool1d(x, return_indices=True, **kw)


out["maxPool2d"] = [
    run("2x2", mp2, [(2, 3, 6, 7)], {"kernelSize": 2}, {"kernel_size": 2}, indices=True),
    run("3x3 stride 2 pad 1 ceil", mp2, [(1, 2, 8, 7)], {"kernelSize": 3, "stride": 2, "padding": 1, "ceilMode": True},
        {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}, indices=True),
    run("dilation, stride > kernel", mp2, [(2, 2, 9, 10)], {"kernelSize": [2, 3], "stride": [3, 4], "dilation": [2, 1]},
        {"kernel_size": (2, 3), "stride": (3, 4), "dilation": (2, 1)}, indices=True),
    run("unbatched", mp2, [(3, 5, 5)], {"kernelSize": 3, "stride": 1, "padding": 1},
        {"kernel_size": 3, "stride": 1, "padding": 1}, indices=True),
]
out["maxPool1d"] = [
    run("ceil dilation", mp1, [(2, 3, 10)], {"kernelSize": 3, "stride": 2, "dilation": 2, "ceilMode": True, "padding": 1},
        {"kernel_size": 3, "stride": 2, "dilation": 2, "ceil_mode": True, "padding": 1}, indices=True),
]
out["avgPool2d"] = [
    run("2x2", F.avg_pool2d, [(2, 3, 6, 7)], {"kernelSize": 2}, {"kernel_size": 2}),
    run("pad include", F.avg_pool2d, [(1, 2, 7, 6)], {"kernelSize": 3, "stride": 2, "padding": 1},
        {"kernel_size": 3, "stride": 2, "padding": 1}),
    run("pad exclude ceil", F.avg_pool2d, [(1, 2, 7, 6)], {"kernelSize": 3, "stride": 2, "padding": 1, "countIncludePad": False, "ceilMode": True},
        {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False, "ceil_mode": True}),
    run("ceil include", F.avg_pool2d, [(2, 1, 5, 8)], {"kernelSize": [2, 3], "stride": [2, 3], "ceilMode": True},
        {"kernel_size": (2, 3), "stride": (2, 3), "ceil_mode": True}),
]
out["avgPool1d"] = [
    run("pad ceil", F.avg_pool1d, [(2, 3, 9)], {"kernelSize": 4, "stride": 3, "padding": 2, "ceilMode": True},
        {"kernel_size": 4, "stride": 3, "padding": 2, "ceil_mode": True}),
]
out["adaptiveAvgPool2d"] = [
    run("7x5 -> 3x2", F.adaptive_avg_pool2d, [(2, 3, 7, 5)], {"outputSize": [3, 2]}, {"output_size": (3, 2)}),
    run("upsample 3x4 -> 5x7", F.adaptive_avg_pool2d, [(1, 2, 3, 4)], {"outputSize": [5, 7]}, {"output_size": (5, 7)}),
    run("global", F.adaptive_avg_pool2d, [(2, 4, 5, 6)], {"outputSize": 1}, {"output_size": 1}),
]
out["adaptiveMaxPool2d"] = [
    run("7x5 -> 3x2", lambda x, **kw: F.adaptive_max_pool2d(x, return_indices=True, **kw), [(2, 3, 7, 5)],
        {"outputSize": [3, 2]}, {"output_size": (3, 2)}, indices=True),
    run("global", lambda x, **kw: F.adaptive_max_pool2d(x, return_indices=True, **kw), [(1, 2, 4, 3)],
        {"outputSize": 1}, {"output_size": 1}, indices=True),
]

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "conv.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote", path)
