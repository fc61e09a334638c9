"""Golden values for BatchNorm1d/2d (train steps with running stats, then eval), GroupNorm and
LayerNorm, forward and the gradients of input, weight and bias, from PyTorch (Debian's
python3-torch). Run: /usr/bin/python3 scripts/gen_fixtures_norm.py"""
import json
import os

import torch

torch.manual_seed(0)


def t(x):
    """Inputs (and outputs) as float32 values: 9 significant digits round-trip exactly."""
    return [float("%.9g" % v) for v in x.detach().reshape(-1).tolist()]


def rand_input(shape, scale, shift):
    return (torch.randn(shape) * scale + shift).requires_grad_()


def grads_of(module):
    if module.weight is None:
        return None, None
    return t(module.weight.grad), t(module.bias.grad)


def set_affine(m, shape):
    """Weights around 1 and biases around 0 that are not PyTorch's defaults (1 and 0)."""
    with torch.no_grad():
        m.weight.copy_(torch.rand(shape) + 0.5)
        m.bias.copy_(torch.randn(shape))


def forward_backward(m, shape, scale, shift):
    """One forward of a fresh random input and a backward of a random gradient: the values."""
    x = rand_input(shape, scale, shift)
    y = m(x)
    g = torch.randn(shape)
    y.backward(g)
    dw, db = grads_of(m)
    return {"x": t(x), "g": t(g), "y": t(y), "dx": t(x.grad), "dweight": dw, "dbias": db}


def batchnorm_case(name, cls, shape, scale=1.0, shift=0.0, **options):
    m = getattr(torch.nn, cls)(shape[1], **options)
    if m.affine:
        set_affine(m, shape[1])
    init = {"weight": t(m.weight), "bias": t(m.bias)} if m.affine else {}
    steps = []
    for _ in range(2):
        m.zero_grad()
        step = forward_backward(m, shape, scale, shift)
        steps.append({**step, "runningMean": t(m.running_mean), "runningVar": t(m.running_var)})
    m.eval()
    m.zero_grad()
    ev = forward_backward(m, shape, scale, shift)
    opts = {k: v for k, v in options.items()}
    return {"name": name, "module": cls, "shape": list(shape), "options": opts, "init": init,
            "repr": repr(m), "steps": steps, "eval": ev}


def groupnorm_case(name, shape, groups, affine=True, scale=1.0, shift=0.0, eps=1e-5):
    m = torch.nn.GroupNorm(groups, shape[1], eps=eps, affine=affine)
    if affine:
        set_affine(m, shape[1])
    values = forward_backward(m, shape, scale, shift)
    return {"name": name, "shape": list(shape), "groups": groups, "affine": affine, "eps": eps, "repr": repr(m),
            "weight": t(m.weight) if affine else None, "bias": t(m.bias) if affine else None, **values}


def layernorm_case(name, shape, normalized_shape, affine=True, scale=1.0, shift=0.0):
    m = torch.nn.LayerNorm(normalized_shape, elementwise_affine=affine)
    if affine:
        set_affine(m, normalized_shape)
    values = forward_backward(m, shape, scale, shift)
    return {"name": name, "shape": list(shape), "normalizedShape": list(normalized_shape), "affine": affine,
            "repr": repr(m), "weight": t(m.weight) if affine else None, "bias": t(m.bias) if affine else None, **values}


out = {
    "torch": torch.__version__,
    "batchnorm": [
        batchnorm_case("1d [N, C]", "BatchNorm1d", (8, 5)),
        batchnorm_case("1d [N, C, L] no affine", "BatchNorm1d", (3, 3, 7), affine=False),
        batchnorm_case("1d momentum None", "BatchNorm1d", (6, 4), momentum=None),
        batchnorm_case("2d", "BatchNorm2d", (3, 3, 4, 4), scale=2.0, shift=0.5),
        batchnorm_case("2d large mean", "BatchNorm2d", (2, 2, 5, 5), scale=0.5, shift=50.0, momentum=0.3, eps=1e-3),
    ],
    "groupnorm": [
        groupnorm_case("1 group", (2, 6, 4), 1),
        groupnorm_case("2 groups", (2, 6, 4), 2),
        groupnorm_case("3 groups", (2, 6, 4), 3),
        groupnorm_case("6 groups (instance norm)", (2, 6, 4), 6),
        groupnorm_case("2d, 4 groups, no affine", (2, 8, 2, 3), 4, affine=False),
        groupnorm_case("[N, C], 2 groups", (4, 6), 2, eps=1e-3),
        groupnorm_case("large mean", (2, 4, 17), 2, scale=0.5, shift=30.0),
    ],
    "layernorm": [
        layernorm_case("last dim", (4, 7), (7,)),
        layernorm_case("two dims", (3, 5, 6), (5, 6)),
        layernorm_case("three dims, no affine", (2, 3, 2, 5), (3, 2, 5), affine=False),
        layernorm_case("long rows, large mean", (3, 40), (40,), scale=0.5, shift=20.0),
    ],
}

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "norm.json")
with open(path, "w") as f:
    json.dump(out, f)
