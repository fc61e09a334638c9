"""Golden values for the ops added beside the first set: diagonals and triangles (trace,
diagonal, diag, diag_embed, tril, triu), rounding (floor, ceil, trunc, frac, round with
decimals), the error functions (erf, erfc, erfinv) and unique. Per case: inputs, output and, for
differentiable ops, an upstream gradient and the input gradients.
Run: /usr/bin/python3 scripts/gen_fixtures_ops_extra.py (writes test/fixtures/ops_extra.json;
test/ops/ops_extra_fixtures.test.ts replays each case by its op name)."""
import json
import math
import os

import torch

torch.manual_seed(0)


def enc(t):
    t = t.detach()
    data = t.reshape(-1).tolist()
    if t.dtype.is_floating_point:
        # Non-finite values as the strings JavaScript's Number() reads back.
        data = [v if math.isfinite(v) else {"inf": "Infinity", "-inf": "-Infinity"}.get(str(v), "NaN")
                for v in t.reshape(-1).double().tolist()]
    dtype = "float32" if t.dtype.is_floating_point else "bool" if t.dtype == torch.bool else "int32"
    return {"shape": list(t.shape), "dtype": dtype, "data": data}


cases = []


def case(name, op, inputs, params, fn, grad=True):
    ins = [x.clone().requires_grad_(grad and x.dtype.is_floating_point) for x in inputs]
    out = fn(*ins)
    outs = list(out) if isinstance(out, tuple) else [out]
    entry = {"name": name, "op": op, "params": params, "inputs": [enc(x) for x in ins], "outputs": [enc(o) for o in outs]}
    if grad and outs[0].requires_grad:
        g = torch.randn(outs[0].shape)
        outs[0].backward(g)
        entry["gradOutput"] = enc(g)
        entry["grads"] = [enc(x.grad) if x.grad is not None else None for x in ins]
    cases.append(entry)


# ---- diagonals and triangles ------------------------------------------------------------
a = torch.randn(4, 5)
b = torch.randn(2, 3, 4, 5)
case("trace", "trace", [a], {}, torch.trace)
case("trace int", "trace", [torch.arange(12).reshape(3, 4).int()], {}, torch.trace)
for off in (0, 2, -1, 7):
    case(f"diagonal offset {off}", "diagonal", [a], {"offset": off, "dim1": 0, "dim2": 1},
         lambda x, off=off: torch.diagonal(x, off))
case("diagonal dims 3, 1", "diagonal", [b], {"offset": 1, "dim1": 3, "dim2": 1},
     lambda x: torch.diagonal(x, 1, 3, 1))
case("diagonal dims -1, 0 offset -2", "diagonal", [b], {"offset": -2, "dim1": -1, "dim2": 0},
     lambda x: torch.diagonal(x, -2, -1, 0))
v = torch.randn(4)
for off in (0, 1, -2):
    case(f"diag vector {off}", "diag", [v], {"diagonal": off}, lambda x, off=off: torch.diag(x, off))
    case(f"diag matrix {off}", "diag", [a], {"diagonal": off}, lambda x, off=off: torch.diag(x, off))
case("diag_embed", "diagEmbed", [torch.randn(2, 3)], {"offset": 0, "dim1": -2, "dim2": -1}, torch.diag_embed)
case("diag_embed offset -1 dims 0, 2", "diagEmbed", [torch.randn(2, 3)], {"offset": -1, "dim1": 0, "dim2": 2},
     lambda x: torch.diag_embed(x, -1, 0, 2))
case("diag_embed offset 2 dims 2, 0", "diagEmbed", [torch.randn(3)], {"offset": 2, "dim1": 1, "dim2": 0},
     lambda x: torch.diag_embed(x, 2, 1, 0))
for name in ("tril", "triu"):
    for k in (0, 1, -2, 9, -9):
        case(f"{name} {k}", name, [b], {"diagonal": k}, lambda x, k=k, name=name: getattr(torch, name)(x, k))
    case(f"{name} wide int", name, [torch.arange(12).reshape(2, 6).int()], {"diagonal": 1},
         lambda x, name=name: getattr(torch, name)(x, 1))
    case(f"{name} bool", name, [torch.ones(3, 3, dtype=torch.bool)], {"diagonal": 0},
         lambda x, name=name: getattr(torch, name)(x))

# ---- rounding ------------------------------------------------------------------------------
r = torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, 1.25, 1.35, -3.7, 2.675, 123.456,
                  -0.0, 7.0, 1e10, float("inf"), float("-inf"), float("nan")])
for name in ("floor", "ceil", "trunc", "frac", "round"):
    case(f"{name}", name, [r], {}, getattr(torch, name))
    case(f"{name} random", name, [torch.randn(3, 4) * 10], {}, getattr(torch, name))
for d in (1, 2, 3, -1, -2):
    case(f"round decimals {d}", "round", [torch.cat([r, torch.randn(20) * 100])], {"decimals": d},
         lambda x, d=d: torch.round(x, decimals=d))
for name in ("floor", "ceil", "trunc", "round"):
    case(f"{name} int", name, [torch.tensor([-3, 0, 5], dtype=torch.int32)], {}, getattr(torch, name))

# ---- error functions ----------------------------------------------------------------------
e = torch.cat([torch.tensor([0.0, -0.0, 1e-8, 0.5, -1.0, 2.4, 2.6, -3.0, 4.0, 5.5, 9.0, -9.0, 12.0]), torch.randn(20)])
case("erf", "erf", [e], {}, torch.erf)
case("erfc", "erfc", [e], {}, torch.erfc)
y = torch.cat([torch.tensor([0.0, 0.3, -0.69, 0.7, 0.71, -0.9, 0.99, -0.999, 0.9999]), torch.rand(20) * 1.98 - 0.99])
case("erfinv", "erfinv", [y], {}, torch.erfinv)
case("erfinv at and beyond 1", "erfinv", [torch.tensor([1.0, -1.0, 1.5, -2.0])], {}, torch.erfinv, grad=False)

# ---- unique (not differentiable; NaN-free: torch 1.13 sorts NaNs inconsistently) -------------
u = torch.tensor([3.0, 1.0, 2.0, 3.0, -1.5, 1.0, 2.0, 0.0, -0.0, 7.25])
ui = torch.tensor([[5, 1, 5], [2, 7, 1], [5, 1, 5], [0, 7, 1]], dtype=torch.int32)
for inv in (False, True):
    for cnt in (False, True):
        flags = {"returnInverse": inv, "returnCounts": cnt}
        case(f"unique inverse {inv} counts {cnt}", "unique", [u], flags,
             lambda x, inv=inv, cnt=cnt: torch.unique(x, return_inverse=inv, return_counts=cnt), grad=False)
        case(f"unique int 2-d inverse {inv} counts {cnt}", "unique", [ui], flags,
             lambda x, inv=inv, cnt=cnt: torch.unique(x, return_inverse=inv, return_counts=cnt), grad=False)
        for d in (0, 1, -1):
            case(f"unique dim {d} inverse {inv} counts {cnt}", "unique", [ui], {**flags, "dim": d},
                 lambda x, d=d, inv=inv, cnt=cnt: torch.unique(x, dim=d, return_inverse=inv, return_counts=cnt),
                 grad=False)
case("unique dim 1 of a 3-d float", "unique", [torch.tensor([[[1.0, 1.0, 0.5], [2.0, 2.0, 0.5]],
                                                              [[1.0, 1.0, 3.0], [0.0, 0.0, 3.0]]])],
     {"dim": 2, "returnInverse": True, "returnCounts": True},
     lambda x: torch.unique(x, dim=2, return_inverse=True, return_counts=True), grad=False)
case("unique bool", "unique", [torch.tensor([True, False, True])], {"returnCounts": True},
     lambda x: torch.unique(x, return_counts=True), grad=False)
case("unique empty", "unique", [torch.zeros(0)], {"returnInverse": True},
     lambda x: torch.unique(x, return_inverse=True), grad=False)

# ---- sliding windows: Tensor.unfold, F.unfold (im2col), F.fold (col2im) ----------------------
t = torch.randn(3, 7, 2)
for dim, size, step in ((1, 3, 2), (1, 3, 1), (0, 3, 3), (-1, 1, 1), (1, 7, 5)):
    case(f"Tensor.unfold({dim}, {size}, {step})", "unfoldDim", [t], {"dim": dim, "size": size, "step": step},
         lambda x, dim=dim, size=size, step=step: x.unfold(dim, size, step))
img = torch.randn(2, 3, 6, 7)
geoms = [
    ("k3", 3, {}),
    ("k(2,3) stride 2 padding 1", (2, 3), {"stride": 2, "padding": 1}),
    ("k2 dilation 2 padding (1,2) stride (1,2)", 2, {"dilation": 2, "padding": (1, 2), "stride": (1, 2)}),
    ("k(3,1) dilation (2,1) stride 3", (3, 1), {"dilation": (2, 1), "stride": 3}),
]
for name, k, kw in geoms:
    params = {"kernelSize": k, **kw}
    case(f"F.unfold {name}", "unfold", [img], params, lambda x, k=k, kw=kw: torch.nn.functional.unfold(x, k, **kw))
    cols = torch.nn.functional.unfold(img, k, **kw)
    case(f"F.fold {name}", "fold", [torch.randn(cols.shape)], {"outputSize": [6, 7], **params},
         lambda x, k=k, kw=kw: torch.nn.functional.fold(x, (6, 7), k, **kw))
case("F.unfold unbatched", "unfold", [torch.randn(2, 4, 4)], {"kernelSize": 2, "stride": 2},
     lambda x: torch.nn.functional.unfold(x, 2, stride=2))
case("F.fold unbatched", "fold", [torch.randn(8, 4)], {"outputSize": 4, "kernelSize": 2, "stride": 2},
     lambda x: torch.nn.functional.fold(x, 4, 2, stride=2))

# ---- finfo / iinfo ------------------------------------------------------------------------
info = {}
for name in ("float32", "float64", "float16", "bfloat16"):
    fi = torch.finfo(getattr(torch, name))
    info[name] = {"bits": fi.bits, "eps": fi.eps, "max": fi.max, "min": fi.min, "tiny": fi.tiny,
                  "smallestNormal": fi.smallest_normal, "resolution": fi.resolution, "dtype": str(fi.dtype)}
for name in ("int32", "int16", "int8", "uint8"):
    ii = torch.iinfo(getattr(torch, name))
    info[name] = {"bits": ii.bits, "max": ii.max, "min": ii.min, "dtype": str(ii.dtype)}

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "ops_extra.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases, "dtypeInfo": info}, f)
print(f"wrote {len(cases)} cases to {os.path.normpath(path)}")
