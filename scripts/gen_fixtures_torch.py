#!/usr/bin/python3
"""PyTorch checkpoint fixtures for test/io/torch.test.ts, written by torch.save itself.

Run with Debian's python3 (python3-torch):  /usr/bin/python3 scripts/gen_fixtures_torch.py

Outputs (test/fixtures/torch/):
  dtypes.pt        a dict with one tensor of every storage dtype torch.save writes for CPU
                   (float32/64/16, bfloat16, int64/32/16/8, uint8, bool)
  views.pt         views into shared storages: offsets, transposed and stepped strides, a
                   0-d and an empty tensor, two tensors over one storage, a Parameter
  nested.pt        nested dicts/lists/tuples with numbers, strings, None, bools, an OrderedDict,
                   big ints, and an Adam optimizer's state_dict after one step
  legacy.pt        views.pt's contents in the pre-1.6 (non-zip) format
  int64_range.pt   an int64 tensor holding a value int32 cannot hold (must be refused)
  complex.pt       a complex64 tensor (myelin has no complex dtype: must be refused)
  bare_storage.pt  a storage saved without a tensor over it (tensor.storage()): must be refused
  evil_*.pt        files a restricted unpickler must refuse (os.system through __reduce__, a
                   class outside the allow-list, builtins.eval); none of them is ever loaded here
  simple_cnn.pt    the state dict of seed 002's SimpleCNN after a few training steps
  myelin_saved.pt  written by myelin's saveTorch and checked with torch.load by
                   scripts/check_save_torch.py; the tests require saveTorch to reproduce it
  torch.json       what myelin must read from each file: shapes, strides, offsets, dtypes,
                   values, which tensors share a storage; SimpleCNN's input and eval output

"""
import collections
import json
import math
import os
import subprocess
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "torch")
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(0)

# What myelin reads each torch dtype as.
MYELIN_DTYPE = {
    torch.float32: "float32", torch.float64: "float64", torch.float16: "float32",
    torch.bfloat16: "bfloat16", torch.int64: "int32", torch.int32: "int32", torch.int16: "int32",
    torch.int8: "int8", torch.uint8: "uint8", torch.bool: "bool",
}


def number(v):
    """JSON has no NaN/Infinity: they travel as strings."""
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    return v


def describe(t):
    """A tensor as myelin must read it: its view metadata and its values converted as myelin does."""
    conv = t.detach()
    target = MYELIN_DTYPE[t.dtype]
    if target == "float32":
        conv = conv.to(torch.float32)
    elif target == "int32":
        conv = conv.to(torch.int64)
    values = [number(float(v)) if target in ("float32", "float64", "bfloat16") else int(v) for v in conv.reshape(-1).tolist()]
    return {
        "$tensor": True,
        "dtype": target,
        "torchDtype": str(t.dtype).replace("torch.", ""),
        "shape": list(t.shape),
        "strides": list(t.stride()),
        "offset": t.storage_offset(),
        "storageSize": t.storage().size(),
        "values": values,
        "parameter": isinstance(t, torch.nn.Parameter),
        "requiresGrad": t.requires_grad,
    }


def describe_value(v):
    if isinstance(v, torch.Tensor):
        return describe(v)
    if isinstance(v, dict):
        return {"$dict": [[describe_value(k), describe_value(x)] for k, x in v.items()]}
    if isinstance(v, (list, tuple)):
        return [describe_value(x) for x in v]
    if isinstance(v, float):
        return {"$float": number(v)}
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**53:
        return {"$bigint": str(v)}
    return v


def save(name, obj, **kw):
    torch.save(obj, os.path.join(OUT, name), **kw)


expected = {}

# ---- every dtype ----
f = torch.tensor([0.0, -1.5, 3.25, 1e-3, 65504.0, -2.0**-24, float("inf"), float("nan")])
dtypes = {
    "float32": f.clone(),
    "float64": torch.tensor([1 / 3, -2.5, 1e30, 1e-30], dtype=torch.float64),
    "float16": f.to(torch.float16),
    "bfloat16": torch.tensor([1.0, -0.5, 3.140625, 1e30, -1e-20], dtype=torch.bfloat16),
    "int64": torch.tensor([0, -1, 2**31 - 1, -(2**31), 42], dtype=torch.int64),
    "int32": torch.tensor([[1, -2], [3, 2**31 - 1]], dtype=torch.int32),
    "int16": torch.tensor([-32768, 32767, 5], dtype=torch.int16),
    "int8": torch.tensor([-128, 127, 0], dtype=torch.int8),
    "uint8": torch.tensor([0, 255, 7], dtype=torch.uint8),
    "bool": torch.tensor([True, False, True]),
}
save("dtypes.pt", dtypes)
expected["dtypes"] = describe_value(dtypes)

# ---- views and shared storages ----
base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
views = collections.OrderedDict()
views["base"] = base
views["row2"] = base[2]  # offset 12
views["transposed"] = base.t()  # strides [1, 6]
views["stepped"] = base[1:, ::2]  # offset 6, strides [6, 2]
views["narrowed"] = base.narrow(1, 2, 3)  # offset 2
views["strided"] = torch.as_strided(base, (2, 2), (7, 3), 1)
views["scalar"] = torch.tensor(2.5)
views["empty"] = torch.zeros(0, 3)
ints = torch.arange(10, dtype=torch.int64)
views["ints_tail"] = ints[5:]  # an int64 view with an offset (converted to int32)
views["ints_all"] = ints
views["param"] = torch.nn.Parameter(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
views["frozen"] = torch.nn.Parameter(torch.tensor([5.0]), requires_grad=False)
save("views.pt", views)
expected["views"] = describe_value(views)
# Which keys share one storage (by storage identity in torch).
groups = collections.OrderedDict()
for k, v in views.items():
    groups.setdefault(v.storage().data_ptr() if v.numel() else id(v), []).append(k)
expected["viewsSharing"] = [g for g in groups.values()]
save("legacy.pt", views, _use_new_zipfile_serialization=False)

# ---- nested containers and an optimizer's state ----
lin = torch.nn.Linear(3, 2)
opt = torch.optim.Adam(lin.parameters(), lr=1e-3, betas=(0.9, 0.99))
lin(torch.randn(4, 3)).sum().backward()
opt.step()
nested = {
    "epoch": 7,
    "loss": 0.125,
    "name": "run-α",
    "flags": [True, False, None],
    "shape": (2, 3),
    "big": 2**40,
    "huge": 2**70,
    "negative": -(2**33),
    "inf": float("inf"),
    "od": collections.OrderedDict([("z", 1), ("a", 2)]),
    "int_keys": {0: "zero", 1: "one"},
    "empty": {"list": [], "tuple": (), "dict": {}},
    "tensors": [torch.ones(2), (torch.zeros(1, dtype=torch.int32), torch.tensor([True]))],
    "model": lin.state_dict(),
    "optimizer": opt.state_dict(),
}
save("nested.pt", nested)
expected["nested"] = describe_value(nested)

# ---- refused contents ----
save("int64_range.pt", {"big": torch.tensor([1, 2**31], dtype=torch.int64)})
save("complex.pt", {"c": torch.tensor([1 + 2j], dtype=torch.complex64)})
save("bare_storage.pt", {"w": torch.tensor([1.0, 2.0]), "s": torch.tensor([3.0, 4.0]).storage()})


class System:
    """Pickles as a call to os.system: what a malicious checkpoint does."""

    def __reduce__(self):
        return (os.system, ("echo pwned",))


class Eval:
    def __reduce__(self):
        return (eval, ("1 + 1",))


class Custom:
    """An ordinary class: torch.load(weights_only=True) refuses it too."""

    def __init__(self):
        self.x = 1


save("evil_system.pt", {"w": torch.ones(1), "payload": System()})
save("evil_eval.pt", [Eval()])
save("evil_class.pt", {"obj": Custom()})


# ---- seed 002's SimpleCNN ----
class SimpleCNN(torch.nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(3, 32, 3, padding=1), torch.nn.BatchNorm2d(32), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.BatchNorm2d(64), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(64, 128, 3, padding=1), torch.nn.BatchNorm2d(128), torch.nn.ReLU(),
            torch.nn.AdaptiveAvgPool2d((1, 1)),
        )
        self.classifier = torch.nn.Linear(128, num_classes)

    def forward(self, x):
        x = self.features(x)
        x = x.view(x.size(0), -1)
        return self.classifier(x)


cnn = SimpleCNN()
sgd = torch.optim.SGD(cnn.parameters(), lr=0.05, momentum=0.9)
for _ in range(3):  # moves the weights and the BatchNorm running statistics off their defaults
    x = torch.randn(8, 3, 16, 16)
    loss = torch.nn.functional.cross_entropy(cnn(x), torch.randint(0, 10, (8,)))
    sgd.zero_grad()
    loss.backward()
    sgd.step()
cnn.eval()
save("simple_cnn.pt", cnn.state_dict())
x = torch.randn(2, 3, 16, 16)
with torch.no_grad():
    y = cnn(x)
expected["simpleCnn"] = {
    "input": {"shape": list(x.shape), "values": x.reshape(-1).tolist()},
    "output": {"shape": list(y.shape), "values": y.reshape(-1).tolist()},
    "keys": list(cnn.state_dict().keys()),
}

with open(os.path.join(OUT, "torch.json"), "w") as fh:
    json.dump(expected, fh, indent=None, separators=(",", ":"))
    fh.write("\n")

# Each non-hostile fixture loads with torch's own restricted unpickler (except nested.pt: this
# torch's allow-list predates floats in pickles, BINFLOAT, which later versions accept); each
# hostile one is refused.
for name in ["dtypes", "views", "simple_cnn", "int64_range", "legacy"]:
    torch.load(os.path.join(OUT, f"{name}.pt"), weights_only=True)
for name in ["evil_system", "evil_eval", "evil_class"]:
    try:
        torch.load(os.path.join(OUT, f"{name}.pt"), weights_only=True)
    except Exception:
        continue
    raise SystemExit(f"{name}.pt loaded with weights_only=True")
# The other direction: myelin writes, torch.load reads (and checks) the committed file.
subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "check_save_torch.py"), os.path.join(OUT, "myelin_saved.pt")],
               check=True)
print("wrote", OUT)
