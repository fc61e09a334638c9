#!/usr/bin/python3
"""Gradient clipping of bfloat16 gradients, from PyTorch 1.13 (Debian's python3-torch).

Run: /usr/bin/python3 scripts/gen_fixtures_bf16_clip.py

Output: test/fixtures/bf16_clip.json: for each case, bfloat16 gradients (bit patterns) of a few
parameters, torch.nn.utils.clip_grad_norm_ (norm types 2, 1, 3 and inf, max norms that clip and
that do not) and clip_grad_value_ applied to them: the returned total norm's bits and each
gradient's bits after.
"""
import json
import os

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "bf16_clip.json")


def bits16(t):
    return [b & 0xFFFF for b in t.detach().contiguous().view(torch.int16).reshape(-1).tolist()]


def params(seed, shapes, scale):
    g = torch.Generator().manual_seed(seed)
    ps = []
    for shape in shapes:
        p = torch.zeros(shape, dtype=torch.bfloat16, requires_grad=True)
        p.grad = (torch.randn(shape, generator=g) * scale).to(torch.bfloat16)
        ps.append(p)
    return ps


def case(kind, seed, shapes, scale, **kw):
    ps = params(seed, shapes, scale)
    before = [bits16(p.grad) for p in ps]
    out = {"kind": kind, "shapes": [list(s) for s in shapes], "grads": before, "args": kw}
    if kind == "norm":
        total = torch.nn.utils.clip_grad_norm_(ps, kw["maxNorm"], norm_type=kw["normType"])
        out["total"] = bits16(total.reshape(1))[0]
        out["totalDtype"] = str(total.dtype).replace("torch.", "")
    else:
        torch.nn.utils.clip_grad_value_(ps, kw["clipValue"])
    out["after"] = [bits16(p.grad) for p in ps]
    return out


cases = []
shapes = [(3, 5), (7,), (2, 2, 3)]
for norm_type in (2.0, 1.0, 3.0, float("inf")):
    for max_norm in (0.5, 1e3):
        cases.append(case("norm", len(cases), shapes, 1.3, maxNorm=max_norm, normType=norm_type))
for c in cases:
    if c["args"]["normType"] == float("inf"):
        c["args"]["normType"] = "inf"  # JSON has no Infinity
cases.append(case("norm", 100, [(64,)], 0.01, maxNorm=0.05, normType=2.0))
cases.append(case("norm", 101, [(300,), (17, 3)], 2.0, maxNorm=1.0, normType=2.0))
for clip in (0.25, 3.0):
    cases.append(case("value", 200 + len(cases), shapes, 1.3, clipValue=clip))

with open(OUT, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
    f.write("\n")
print("wrote", OUT, len(cases), "cases")
