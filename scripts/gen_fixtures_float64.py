"""float64 math as torch 1.13 computes it on the CPU. Unary: exp, log, log1p, expm1, sqrt, rsqrt,
sin, cos, tanh, sigmoid, erf, abs, neg, relu, sign, erfc, erfinv on doubles (every bit of the inputs random, the
domain edges, the specials), each with its gradient for a random output gradient. Reductions:
sum, mean, prod, amax, amin over rows, columns and everything, with their gradients. Numbers are
written exactly (Python's shortest round-trip repr); NaN and the infinities as the strings
"nan", "inf", "-inf". Run: /usr/bin/python3 scripts/gen_fixtures_float64.py (writes
test/fixtures/float64_unary.json and test/fixtures/float64_reduce.json)."""
import json
import math
import os

import mpmath
import torch

torch.manual_seed(0)

# The op, its domain (the random inputs' transform of a standard normal), and the edges.
OPS = {
    "exp": (lambda z: 8 * z, [0.0, -0.0, 709.7, -708.0, -745.0, 1e-300, 1e-17]),
    "log": (lambda z: z.abs() * 10, [1.0, 1e-300, 5e-324, 1.7976931348623157e308, 0.0, -1.0]),
    "log1p": (lambda z: z.abs() * 3 - 0.99, [1e-17, -1e-17, -0.9999999999999999, 1e300, -1.0, -2.0]),
    "expm1": (lambda z: 8 * z, [1e-17, -1e-17, 1e-10, 709.7, -40.0]),
    "sqrt": (lambda z: z.abs() * 10, [0.0, -0.0, 5e-324, 2.0, -1.0]),
    "rsqrt": (lambda z: z.abs() * 10 + 1e-3, [0.0, -0.0, 4.0, 1e300, -1.0]),
    "sin": (lambda z: 10 * z, [0.0, -0.0, math.pi, 1e6, 1e22]),
    "cos": (lambda z: 10 * z, [0.0, math.pi / 2, 1e6, 1e22]),
    "tanh": (lambda z: 4 * z, [0.0, -0.0, 1e-17, 19.0, -19.0, 40.0]),
    "sigmoid": (lambda z: 8 * z, [0.0, 36.0, -36.0, -700.0, 40.0]),
    "erf": (lambda z: 2 * z, [0.0, -0.0, 1e-17, 5.9, -5.9, 6.0]),
    "abs": (lambda z: z, [0.0, -0.0]),
    "neg": (lambda z: z, [0.0, -0.0]),
    "relu": (lambda z: z, [0.0, -0.0]),
    "sign": (lambda z: z, [0.0, -0.0]),
    "erfc": (lambda z: 3 * z, [0.0, -0.0, 1e-17, 1.0, 2.5, 6.0, 26.5, 27.3, -6.0]),
    "erfinv": (lambda z: torch.tanh(z), [0.0, -0.0, 1e-17, 0.9999999, -0.9999999999, 1.0, -1.0, 2.0]),
}
SPECIALS = [math.inf, -math.inf, math.nan]
mpmath.mp.dps = 40
EXACT = {"erfc": mpmath.erfc, "erfinv": lambda v: mpmath.erfinv(v) if abs(v) <= 1 else mpmath.mpf("nan")}


def num(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def enc(t):
    return [num(v) for v in t.reshape(-1).tolist()]


cases = {}
for name, (domain, edges) in OPS.items():
    x = domain(torch.randn(64, dtype=torch.float64))
    fn = getattr(torch, name)
    # Gradients at the random inputs (the edges and specials are forward-only).
    xg = x.clone().requires_grad_(True)
    g = torch.randn(64, dtype=torch.float64)
    (fn(xg) * g).sum().backward()
    xall = torch.cat([x, torch.tensor(edges + SPECIALS, dtype=torch.float64)])
    out = fn(xall)
    assert out.dtype == torch.float64
    cases[name] = {
        "input": enc(xall),
        "output": enc(out),
        "gradOutput": enc(g),
        "grad": enc(xg.grad),
    }
    if name in EXACT:
        # torch's erfinv runs Newton on erf(x) - y, which cancels near |y| = 1 (its values there
        # are off by up to 1e-7 relative): the exact values (mpmath, 40 digits) are the reference.
        # (Zeros and the specials: torch's values, exact there.)
        cases[name]["exact"] = [num(float(EXACT[name](mpmath.mpf(v)))) if math.isfinite(v) and v != 0 else num(o)
                                for v, o in zip(xall.tolist(), out.tolist())]

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "float64_unary.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
    f.write("\n")
print("wrote", path)

# Reductions: a [5, 67] matrix (a ragged vector tail in each row) and a [1025] vector, every bit
# random; prod's inputs near 1 so that it neither underflows nor overflows. One input per op and
# shape, reduced over each dim and over everything.
reductions = []
for shape in ([5, 67], [1025]):
    for name in ("sum", "mean", "prod", "amax", "amin"):
        x = torch.randn(*shape, dtype=torch.float64)
        if name == "prod":
            x = 1 + x / 64
        results = []
        for dim in [1, 0, None] if len(shape) == 2 else [None]:
            xg = x.clone().requires_grad_(True)
            fn = getattr(torch, name)
            out = fn(xg) if dim is None else fn(xg, dim)
            g = torch.randn(out.shape, dtype=torch.float64)
            (out * g).sum().backward()
            results.append(
                {"dim": dim, "output": enc(out.detach()), "gradOutput": enc(g), "grad": enc(xg.grad)}
            )
        reductions.append({"op": name, "shape": list(shape), "input": enc(x), "results": results})
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "float64_reduce.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "cases": reductions}, f, separators=(",", ":"))
    f.write("\n")
print("wrote", path)
