"""Gradients where PyTorch selects rather than multiplies: each case runs an op forward, then
backward with an upstream gradient holding inf or NaN (or a finite one at a point where a
derivative divides by zero), and records the input gradients. Where PyTorch's backward selects
(`where`, masked_fill) the masked places stay 0; where it multiplies by a mask they become NaN.
Run: /usr/bin/python3 scripts/gen_fixtures_grad_select.py (writes test/fixtures/grad_select.json;
test/ops/grad_select.test.ts replays it with the same case names)."""
import json
import math
import os

import torch
import torch.nn.functional as F

inf = float("inf")
nan = float("nan")


def enc(t):
    return [v if math.isfinite(v) else str(v) for v in t.detach().reshape(-1).double().tolist()]


cases = []


def case(name, fn, inputs, upstream):
    """inputs: lists of numbers (all require grad); upstream: one number or a list."""
    xs = [torch.tensor(x, requires_grad=True) for x in inputs]
    y = fn(*xs)
    g = torch.full(y.shape, upstream) if not isinstance(upstream, list) else torch.tensor(upstream).reshape(y.shape)
    y.backward(g)
    cases.append({
        "name": name,
        "inputs": [enc(x) for x in xs],
        "upstream": enc(g),
        "out": {"shape": list(y.shape), "data": enc(y)},
        "grads": [enc(x.grad) for x in xs],
    })


x3 = [0.0, -1.0, 2.0]
x5 = [0.0, -1.0, 2.0, 1.0, 0.5]
for up, tag in ((inf, "inf"), (nan, "nan")):
    case(f"clamp min, g {tag}", lambda x: x.clamp(0), [x3], up)
    case(f"clamp min max, g {tag}", lambda x: x.clamp(0, 1), [x5], up)
    case(f"clamp max, g {tag}", lambda x: x.clamp(max=1), [x5], up)
    case(f"clamp tensor bounds, g {tag}", lambda x, lo, hi: x.clamp(lo, hi),
         [[0.0, -1.0, 2.0, 1.0, 0.5, 3.0], [0.0, 0.0, 0.0, 0.0, 0.0, 4.0], [1.0, 1.0, 1.0, 1.0, 1.0, 2.0]], up)
    case(f"clamp tensor min, g {tag}", lambda x, lo: x.clamp(lo), [x3, [0.0, 0.0, 3.0]], up)
    case(f"maximum, g {tag}", torch.maximum, [[0.0, -1.0, 2.0, 1.0], [0.0, 0.0, 0.0, 1.0]], up)
    case(f"minimum, g {tag}", torch.minimum, [[0.0, -1.0, 2.0, 1.0], [0.0, 0.0, 0.0, 1.0]], up)
    case(f"relu, g {tag}", torch.relu, [x3], up)
    case(f"hardtanh, g {tag}", F.hardtanh, [[0.0, -1.0, 2.0, -2.0, 0.5, 1.0]], up)
    case(f"relu6, g {tag}", F.relu6, [[0.0, -1.0, 7.0, 6.0, 0.5]], up)
    case(f"max all, g {tag}", lambda x: x.max(), [[0.0, -1.0, 2.0, 2.0]], up)
    case(f"min all, g {tag}", lambda x: x.min(), [x3], up)
    case(f"max dim, g {tag}", lambda x: x.reshape(1, 3).max(1).values, [x3], up)
    case(f"amax (multiplies), g {tag}", lambda x: x.amax(0), [x3], up)
    case(f"abs at 0 (multiplies), g {tag}", torch.abs, [x3], up)
    case(f"where, g {tag}", lambda x: torch.where(torch.tensor([True, False, True]), x, torch.zeros(3)), [x3], up)
    case(f"masked_fill, g {tag}", lambda x: x.masked_fill(torch.tensor([True, False, True]), 0.0), [x3], up)
    case(f"norm 2 of zeros, g {tag}", lambda x: x.norm(), [[0.0, 0.0, 0.0]], up)
    case(f"pow 0, g {tag}", lambda x: x.pow(0), [x3], up)
    case(f"pow tensor, g {tag}", lambda x: x.pow(torch.tensor([0.0, 1.0, 2.0])), [x3], up)
    case(f"leaky_relu slope 0 (multiplies), g {tag}", lambda x: F.leaky_relu(x, 0.0), [x3], up)
case("clamp of NaN", lambda x: x.clamp(0, 1), [[nan, 0.5]], 1.0)
case("maximum with NaN", torch.maximum, [[nan, 1.0], [1.0, nan]], 1.0)
case("sqrt after clamp (the reported case)", lambda x: x.clamp(0).sqrt(), [x3], 1.0)
case("std of a constant", lambda x: x.std(), [[1.0, 1.0, 1.0]], 1.0)
case("std dim of a constant row", lambda x: x.reshape(2, 2).std(1), [[1.0, 1.0, 2.0, 4.0]], 1.0)
case("norm 0.5 with zeros", lambda x: x.norm(0.5), [[0.0, 1.0, 0.0, -2.0]], 1.0)
case("norm 1.5 with zeros", lambda x: x.norm(1.5), [[0.0, 1.0, 0.0, -2.0]], 1.0)
case("norm 3 of zeros", lambda x: x.norm(3), [[0.0, 0.0]], 1.0)
case("norm inf ties", lambda x: x.norm(inf), [[2.0, -2.0, 1.0]], 1.0)
case("smooth_l1 beta 0 at 0", lambda x: F.smooth_l1_loss(x, torch.zeros(4), reduction="sum", beta=0.0),
     [[0.0, -1.0, 2.0, 0.5]], 1.0)
case("smooth_l1 beta 1", lambda x: F.smooth_l1_loss(x, torch.zeros(5), reduction="sum"),
     [[0.0, -1.0, 2.0, 0.5, 1.0]], 1.0)

# clip_grad_norm_ with non-finite gradients: PyTorch 1.13 scales every gradient by
# min(max_norm / (total + 1e-6), 1), so a NaN total makes them all NaN.
clip = []
for grads, norm_type in (([[1.0, nan], [3.0, 4.0, 5.0]], 2.0), ([[1.0, inf], [3.0, 4.0, 5.0]], 2.0),
                         ([[1.0, inf], [3.0, 4.0, 5.0]], inf), ([[1.0, 2.0], [3.0, 4.0, 5.0]], 2.0)):
    ps = [torch.zeros(len(g), requires_grad=True) for g in grads]
    for p, g in zip(ps, grads):
        p.grad = torch.tensor(g)
    total = torch.nn.utils.clip_grad_norm_(ps, 1.0, norm_type=norm_type)
    clip.append({"grads": [enc(torch.tensor(g)) for g in grads], "maxNorm": 1.0,
                 "normType": norm_type if math.isfinite(norm_type) else "inf",
                 "total": enc(total)[0], "after": [enc(p.grad) for p in ps]})

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "grad_select.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases, "clipGradNorm": clip}, f)
print(f"wrote {len(cases)} cases to {os.path.normpath(path)}")
