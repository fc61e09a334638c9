"""Golden values for the bfloat16 tensor dtype from PyTorch 1.13 (Debian's python3-torch):
creation (torch.tensor from Python floats, i.e. doubles; full, arange, linspace, eye), casts to
and from bfloat16 (float32 bits, float64 values through float32 as torch rounds them, int32,
bool), bf16 -> int32 / bool / float64, and torch's printing of bfloat16 tensors. bfloat16
values travel as their 16-bit patterns, float32 ones as their 32-bit patterns.
Run: /usr/bin/python3 scripts/gen_fixtures_bf16.py"""
import json
import os
import struct

import torch

torch.manual_seed(0)


def bits16(t):
    return [b & 0xFFFF for b in t.detach().contiguous().view(torch.int16).reshape(-1).tolist()]


def bits32(t):
    return t.detach().contiguous().view(torch.int32).reshape(-1).tolist()


def num(v):
    # JSON has no NaN or infinities: strings for them.
    return v if v == v and abs(v) != float("inf") else str(v)


# Doubles whose rounding to float32 then bfloat16 differs from rounding them straight to bfloat16
# (torch goes through float32), ties, overflow, subnormals, tiny values.
doubles = [
    0.0, -0.0, 1.0, -1.0, 0.1, 1 / 3, 3.14159, 1e-3, 2.5, 300.5, 12345.0, 65504.0, 1e38, 3.3e38,
    3.4e38, 1e40, -1e40, 1e-40, 1e-45, 1e-50,
    1 + 2 ** -8,  # a tie: to even (1)
    1 + 3 * 2 ** -8,  # a tie: to even (1 + 2^-6)
    1 + 2 ** -8 + 2 ** -30,  # just above a tie in float64, a tie once in float32: 1
    1 + 2 ** -8 + 2 ** -20,  # above the tie in float32 too: 1 + 2^-7
    1 + 2 ** -8 - 2 ** -30,
    float("inf"), -float("inf"), float("nan"),
]
from_doubles = {"values": [num(v) for v in doubles],
                "bf16": bits16(torch.tensor(doubles, dtype=torch.bfloat16)),
                "viaFloat64": bits16(torch.tensor(doubles, dtype=torch.float64).bfloat16())}

f = torch.cat([torch.randn(40) * 10, torch.tensor([0.5, -0.5, 1.5, 2.5, 1e30, -1e-30, float("nan")])])
from_float32 = {"x": bits32(f), "bf16": bits16(f.bfloat16())}

ints = torch.tensor([0, 1, -1, 255, 256, 257, 258, 259, 1000, 65535, 16777217, 2 ** 31 - 1, -2 ** 31], dtype=torch.int32)
from_int32 = {"x": ints.tolist(), "bf16": bits16(ints.bfloat16())}

b = torch.tensor([-7.9, -2.5, -0.4, 0.0, -0.0, 0.4, 1.5, 2.5, 123.4, 3e9, -3e9, float("nan"), float("inf")]).bfloat16()
to_others = {
    "bf16": bits16(b),
    "float32": bits32(b.float()),
    "float64": [num(v) for v in b.double().tolist()],
    "bool": b.bool().tolist(),
    "int32": b[:8].int().tolist(),  # the rest: out of int32's range, NaN, inf (refused)
}

creation = {
    "full": bits16(torch.full([3], 1.1, dtype=torch.bfloat16)),
    "arange": bits16(torch.arange(-1.3, 2.0, 0.7, dtype=torch.bfloat16)),
    "arangeInt": bits16(torch.arange(250, 262, dtype=torch.bfloat16)),
    "linspace": bits16(torch.linspace(-1, 1, 7, dtype=torch.bfloat16)),
    # Fewer than 16 steps: torch's scalar path. Longer ones take its vector path, which rounds
    # by vector-width chunks (so the values depend on the CPU's vector width).
    "arangeLong": bits16(torch.arange(-1.3, 20, 0.7, dtype=torch.bfloat16)),
    "ones": bits16(torch.ones(2, dtype=torch.bfloat16)),
    "bool": bits16(torch.tensor([True, False], dtype=torch.bfloat16)),
}


def rep(t):
    return repr(t).replace("torch.", "").replace("requires_grad=True", "requiresGrad=true")


printing = []
for values in [
    [1.0, 2.5, -3.14159, 1e-3, 0.0, float("nan"), float("inf")],
    [[1.0, 2.0], [3.0, 4.0]],
    [300.5, 12345.0],
    [0.1, 0.2, 0.3],
    [1e-5, 1.0, 1e5],
    [],
    2.5,
]:
    printing.append({"values": values if not isinstance(values, list) else [num(v) if not isinstance(v, list) else v for v in values],
                     "text": rep(torch.tensor(values, dtype=torch.bfloat16))})
printing.append({"arange": 2000, "text": rep(torch.arange(2000, dtype=torch.bfloat16))})
printing.append({"requiresGrad": [0.5, -1.25], "text": rep(torch.tensor([0.5, -1.25], dtype=torch.bfloat16, requires_grad=True))})

promotion = {}
names = {"bfloat16": torch.bfloat16, "float32": torch.float32, "float64": torch.float64, "int32": torch.int32, "bool": torch.bool}
for a, ta in names.items():
    for b_, tb in names.items():
        promotion[f"{a},{b_}"] = str(torch.promote_types(ta, tb)).replace("torch.", "")

out = {"fromDoubles": from_doubles, "fromFloat32": from_float32, "fromInt32": from_int32, "toOthers": to_others,
       "creation": creation, "printing": printing, "promotion": promotion}
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "bf16_dtype.json")
with open(path, "w") as fh:
    json.dump(out, fh, indent=1)
    fh.write("\n")
print("wrote", path)
