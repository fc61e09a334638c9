"""Golden values for the tensor ops (elementwise math, reductions, shape ops) from PyTorch
(Debian's python3-torch). Run: /usr/bin/python3 scripts/gen_fixtures_tensor.py
Writes test/fixtures/tensor_ops.json: per case the inputs, the output, the upstream gradient
and the gradient of every input that requires grad. The op harness replays them: each case's op
is bound by the declaration in test/ops/declarations/ that calls tensorOpsGoldens(op), with the
params here as its arguments (test/ops/declarations.test.ts checks every case is bound)."""
import json
import math
import os

import torch

torch.manual_seed(0)


def flat(x):
    return [v if math.isfinite(v) else str(v) for v in x.detach().reshape(-1).double().tolist()]


def randn(*shape, lo=None):
    x = torch.randn(*shape)
    if lo is not None:  # positive inputs for log/sqrt/...
        x = x.abs() + lo
    return x


cases = []


def case(name, op, inputs, params=None, fn=None):
    ins = [x.clone().requires_grad_(x.dtype == torch.float32) for x in inputs]
    out = fn(*ins)
    entry = {
        "name": name, "op": op, "params": params or {},
        "inputs": [{"shape": list(x.shape), "dtype": str(x.dtype).replace("torch.", ""), "data": flat(x)} for x in ins],
        "out": {"shape": list(out.shape), "dtype": str(out.dtype).replace("torch.", ""), "data": flat(out)},
    }
    if out.dtype == torch.float32 and out.requires_grad:
        g = torch.randn(out.shape)
        out.backward(g)
        entry["grad"] = flat(g)
        entry["grads"] = [flat(x.grad) if x.grad is not None else None for x in ins]
    cases.append(entry)


# ---- unary ----------------------------------------------------------------------------
unary = {
    "neg": (torch.neg, None), "abs": (torch.abs, None), "sign": (torch.sign, None),
    "exp": (torch.exp, None), "log": (torch.log, 0.1), "log1p": (torch.log1p, 0.0),
    "expm1": (torch.expm1, None), "sqrt": (torch.sqrt, 0.1), "rsqrt": (torch.rsqrt, 0.2),
    "sin": (torch.sin, None), "cos": (torch.cos, None), "tanh": (torch.tanh, None),
    "sigmoid": (torch.sigmoid, None), "relu": (torch.relu, None),
}
for name, (fn, lo) in unary.items():
    case(name, name, [randn(3, 5, lo=lo)], fn=fn)

# ---- binary / pointwise -----------------------------------------------------------------
for name, fn in {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}.items():
    case(f"{name} broadcast", name, [randn(3, 1, 4), randn(2, 1) + (3 if name == "div" else 0)], fn=fn)
case("pow scalar", "powScalar", [randn(3, 4, lo=0.1)], {"e": 2.5}, fn=lambda x: torch.pow(x, 2.5))
case("pow tensor", "pow", [randn(3, 4, lo=0.1), randn(4)], fn=torch.pow)
case("clamp", "clamp", [randn(4, 5)], {"min": -0.5, "max": 0.7}, fn=lambda x: torch.clamp(x, -0.5, 0.7))
case("maximum", "maximum", [randn(3, 4), randn(4)], fn=torch.maximum)
case("minimum", "minimum", [randn(3, 4), randn(3, 1)], fn=torch.minimum)
c = torch.randn(3, 4) > 0
case("where", "where", [c, randn(3, 4), randn(4)], fn=torch.where)
for name in ["eq", "ne", "lt", "le", "gt", "ge"]:
    a = torch.randint(0, 3, (3, 4)).float()
    b = torch.randint(0, 3, (4,)).float()
    case(name, name, [a, b], fn=getattr(torch, name))

# ---- reductions -------------------------------------------------------------------------
x = randn(3, 4, 5)
case("sum all", "sum", [x], {}, fn=lambda t: t.sum())
case("sum dims keepdim", "sum", [x], {"dim": [0, 2], "keepdim": True}, fn=lambda t: t.sum((0, 2), keepdim=True))
case("mean dim", "mean", [x], {"dim": 1}, fn=lambda t: t.mean(1))
case("prod dim", "prod", [randn(3, 4)], {"dim": 1}, fn=lambda t: t.prod(1))
z = randn(3, 4)
z[1, 2] = 0
case("prod with a zero", "prod", [z], {"dim": 1}, fn=lambda t: t.prod(1))
case("prod all", "prod", [randn(2, 3)], {}, fn=lambda t: t.prod())
case("amax dims", "amax", [x], {"dim": [1, 2]}, fn=lambda t: t.amax((1, 2)))
case("amin dim keepdim", "amin", [x], {"dim": 0, "keepdim": True}, fn=lambda t: t.amin(0, keepdim=True))
case("max dim", "maxDim", [x], {"dim": 1}, fn=lambda t: t.max(1).values)
case("min dim keepdim", "minDim", [x], {"dim": -1, "keepdim": True}, fn=lambda t: t.min(-1, keepdim=True).values)
case("max all", "max", [x], {}, fn=lambda t: t.max())
case("argmax dim", "argmax", [x], {"dim": 2}, fn=lambda t: t.argmax(2).int())
case("argmin all", "argmin", [x], {}, fn=lambda t: t.argmin().int())
case("var dim", "var", [x], {"dim": 1}, fn=lambda t: t.var(1))
case("var all correction 0", "var", [x], {"correction": 0}, fn=lambda t: t.var(unbiased=False))
case("std dims keepdim", "std", [x], {"dim": [0, 2], "keepdim": True}, fn=lambda t: t.std((0, 2), keepdim=True))
case("norm 2", "norm", [x], {"p": 2}, fn=lambda t: t.norm())
case("norm 1 dim", "norm", [x], {"p": 1, "dim": 1}, fn=lambda t: t.norm(1, 1))
case("norm inf dim", "norm", [x], {"p": "inf", "dim": 2}, fn=lambda t: t.norm(float("inf"), 2))
case("norm 3 dims", "norm", [x], {"p": 3, "dim": [0, 1]}, fn=lambda t: t.norm(3, (0, 1)))
case("logsumexp dim", "logsumexp", [x * 4], {"dim": 1}, fn=lambda t: t.logsumexp(1))
case("logsumexp dims", "logsumexp", [x * 4], {"dim": [0, 2], "keepdim": True}, fn=lambda t: t.logsumexp((0, 2), keepdim=True))
case("cumsum dim", "cumsum", [x], {"dim": 1}, fn=lambda t: t.cumsum(1))
case("cumsum last", "cumsum", [x], {"dim": -1}, fn=lambda t: t.cumsum(-1))

# ---- shape ops --------------------------------------------------------------------------
case("transpose reshape", "transposeReshape", [randn(2, 3, 4)], fn=lambda t: t.transpose(0, 2).reshape(4, 6))
case("cat", "cat", [randn(2, 3), randn(2, 2)], {"dim": 1}, fn=lambda a, b: torch.cat([a, b], 1))
case("stack", "stack", [randn(2, 3), randn(2, 3)], {"dim": 1}, fn=lambda a, b: torch.stack([a, b], 1))
case("flip", "flip", [randn(2, 3, 4)], {"dims": [0, 2]}, fn=lambda t: t.flip((0, 2)))
case("repeat", "repeat", [randn(2, 3)], {"sizes": [2, 1, 2]}, fn=lambda t: t.repeat(2, 1, 2))
case("narrow", "narrow", [randn(4, 5)], {"dim": 1, "start": 1, "length": 3}, fn=lambda t: t.narrow(1, 1, 3))
case("slice step", "slice", [randn(4, 7)], {"dim": 1, "start": 1, "end": 6, "step": 2}, fn=lambda t: t[:, 1:6:2])
case("expand", "expand", [randn(3, 1)], {"sizes": [2, 3, 4]}, fn=lambda t: t.expand(2, 3, 4))
case("select", "select", [randn(3, 4)], {"dim": 0, "index": -1}, fn=lambda t: t.select(0, -1))
case("permute", "permute", [randn(2, 3, 4)], {"dims": [2, 0, 1]}, fn=lambda t: t.permute(2, 0, 1))

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "tensor_ops.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
print(f"wrote {len(cases)} cases to {os.path.relpath(path)}")
