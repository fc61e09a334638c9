#!/usr/bin/python3
"""bfloat16 in files and optimizers, from PyTorch 1.13 (Debian's python3-torch).

Run: /usr/bin/python3 scripts/gen_fixtures_bf16_io.py

Outputs:
  test/fixtures/torch/bf16_state.pt             torch.save of a bfloat16 state dict (special values,
                                                a transposed view sharing a storage, a float32 entry)
  test/fixtures/safetensors/bf16_state.safetensors  the same contiguous tensors in safetensors
                                                format, written by hand here (the safetensors
                                                package is not installed) as its writer orders them
  test/fixtures/bf16_io.json                    the bits of every tensor in those files, and
                                                torch.optim steps of bfloat16 parameters (SGD with
                                                momentum, Nesterov, Adam, AdamW, RMSprop, Adagrad;
                                                foreach=False): the parameter and state bits after
                                                each step, and the same steps done as one float32
                                                step on the widened values, rounded to bfloat16
                                                (what myelin does)
"""
import json
import os
import struct

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "test", "fixtures")


def bits16(t):
    return [b & 0xFFFF for b in t.detach().contiguous().view(torch.int16).reshape(-1).tolist()]


def bits32(t):
    return t.detach().contiguous().view(torch.int32).reshape(-1).tolist()


def from_bits(bits):
    return torch.tensor([b - 0x10000 if b >= 0x8000 else b for b in bits], dtype=torch.int16).view(torch.bfloat16)


torch.manual_seed(0)
# 1, -pi (rounded), inf, the smallest subnormal, -0, NaN
special = from_bits([0x3F80, 0xC049, 0x7F80, 0x0001, 0x8000, 0x7FC0]).reshape(2, 3)
bias = torch.randn(3).to(torch.bfloat16)
f32 = torch.randn(2, 2)
state = {"weight": special, "bias": bias, "weight_t": special.t(), "scale": f32}
torch.save(state, os.path.join(FIX, "torch", "bf16_state.pt"))

# safetensors by hand: widest dtype first, then by name; header padded with spaces to 8 bytes.
entries = sorted([("bias", "BF16", bias), ("scale", "F32", f32), ("weight", "BF16", special)],
                 key=lambda e: ({"F32": 0, "BF16": 1}[e[1]], e[0]))
header, chunks, off = [], [], 0
for name, dt, t in entries:
    raw = t.contiguous().view(torch.int16 if dt == "BF16" else torch.int32).numpy().tobytes()
    header.append('"%s":{"dtype":"%s","shape":%s,"data_offsets":[%d,%d]}' % (
        name, dt, json.dumps(list(t.shape)).replace(" ", ""), off, off + len(raw)))
    chunks.append(raw)
    off += len(raw)
head = ("{" + ",".join(header) + "}").encode()
pad = (8 - (8 + len(head)) % 8) % 8
head += b" " * pad
with open(os.path.join(FIX, "safetensors", "bf16_state.safetensors"), "wb") as fh:
    fh.write(struct.pack("<Q", len(head)) + head + b"".join(chunks))

files = {
    "weight": {"shape": [2, 3], "bits": bits16(special)},
    "bias": {"shape": [3], "bits": bits16(bias)},
    "weight_t": {"shape": [3, 2], "strides": list(special.t().stride()), "bits": bits16(special.t())},
    "scale": {"shape": [2, 2], "float32Bits": bits32(f32)},
}

SIZE = 37  # four AVX2 vectors and a tail
STEPS = 3
g = torch.Generator().manual_seed(1234)
param0 = torch.randn(SIZE, generator=g).to(torch.bfloat16)
grads = [(torch.randn(SIZE, generator=g) * s).to(torch.bfloat16) for s in (1.0, 0.5, 2.0)]

CASES = [
    ("sgd", torch.optim.SGD, dict(lr=0.1, momentum=0.9)),
    ("sgd", torch.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("adam", torch.optim.Adam, dict(lr=0.01)),
    ("adam", torch.optim.Adam, dict(lr=0.01, weight_decay=0.01, amsgrad=True)),
    ("adamw", torch.optim.AdamW, dict(lr=0.01, weight_decay=0.01)),
    ("rmsprop", torch.optim.RMSprop, dict(lr=0.01, momentum=0.9, centered=True)),
    ("adagrad", torch.optim.Adagrad, dict(lr=0.1)),
]
# torch's state names to myelin's
STATE_NAMES = {"momentum_buffer": "momentumBuffer", "exp_avg": "expAvg", "exp_avg_sq": "expAvgSq",
               "max_exp_avg_sq": "maxExpAvgSq", "square_avg": "squareAvg", "grad_avg": "gradAvg",
               "sum": "sum"}


def run(cls, opts, dtype, emulate):
    """STEPS steps; emulate: each step in float32 on the widened values, all rounded to bfloat16 after."""
    p = torch.nn.Parameter(param0.clone().to(dtype))
    opt = cls([p], foreach=False, **opts)
    params, states = [], []
    for gr in grads:
        if emulate:
            p.data = p.data.float()
            p.grad = gr.float()
            for s in opt.state[p].values():
                if torch.is_tensor(s) and s.dtype == torch.bfloat16 and s.dim() > 0:
                    s.data = s.data.float()
        else:
            p.grad = gr.clone()
        opt.step()
        if emulate:
            p.data = p.data.to(torch.bfloat16)
            for s in opt.state[p].values():
                if torch.is_tensor(s) and s.dtype == torch.float32 and s.dim() > 0:
                    s.data = s.data.to(torch.bfloat16)
        params.append(bits16(p))
        states.append({STATE_NAMES[k]: bits16(v) for k, v in opt.state[p].items() if k in STATE_NAMES})
    return params, states


cases = []
for name, cls, opts in CASES:
    p_torch, s_torch = run(cls, opts, torch.bfloat16, False)
    p_emul, s_emul = run(cls, opts, torch.bfloat16, True)
    cases.append({"optimizer": name, "options": opts, "params": p_torch, "states": s_torch,
                  "float32Step": {"params": p_emul, "states": s_emul}})

out = {"torch": torch.__version__, "files": files,
       "optim": {"param": bits16(param0), "grads": [bits16(x) for x in grads], "cases": cases}}
with open(os.path.join(FIX, "bf16_io.json"), "w") as fh:
    json.dump(out, fh)
    fh.write("\n")
print("wrote", len(cases), "optimizer cases")
