"""torch.autograd.functional's vjp, jvp, jacobian (both strategies), hessian, hvp and vhp on a
few functions that test/functional/autograd.test.ts writes the same way (same names), and the
JVP-vs-VJP cost example (f(x) = A x: J v in one forward, vᵀ J in one backward, full J both
ways). Run: /usr/bin/python3 scripts/gen_fixtures_functional.py (writes
test/fixtures/functional.json)."""
import json
import os

import torch
import torch.nn.functional as F
from torch.autograd import functional as AF

torch.manual_seed(0)


def enc(t):
    if isinstance(t, (tuple, list)):
        return [enc(x) for x in t]
    return {"shape": list(t.shape), "dtype": "float32", "data": t.detach().reshape(-1).double().tolist()}


def rnd(*shape):
    return torch.randn(tuple(shape))


ONEHOT = F.one_hot(torch.tensor([1, 0, 2]), 3).float()

FUNCS = {
    # torch's documentation examples, and a small MLP and classifier.
    "exp_reducer": (lambda x: x.exp().sum(dim=1), [(3, 4)], False),
    "adder": (lambda x, y: 2 * x + 3 * y, [(2,), (2,)], False),
    "mlp": (lambda x, w1, b1, w2: torch.tanh(x @ w1.T + b1) @ w2.T, [(2, 3), (4, 3), (4,), (2, 4)], False),
    "two_outputs": (lambda x, y: (x * y, torch.sin(x)), [(3,), (3,)], False),
    "pow_reducer": (lambda x: x.pow(3).sum(), [(2, 2)], True),
    # The negative log-likelihood written out (logSoftmax has a second derivative here).
    "classifier": (lambda x, w: -(F.log_softmax(x @ w, dim=1) * ONEHOT).sum() / 3, [(3, 4), (4, 3)], True),
    "sigmoid_quadratic": (lambda x, y: (torch.sigmoid(x) * y).sum() + (x * x * y).sum(), [(3,), (3,)], True),
}

out = {"cases": []}
for name, (f, shapes, scalar) in FUNCS.items():
    xs = tuple(rnd(*s) for s in shapes)
    single = len(xs) == 1
    inputs = xs[0] if single else xs
    y = f(*xs)
    outs = y if isinstance(y, tuple) else (y,)
    v_out = tuple(rnd(*o.shape) for o in outs)
    v_in = tuple(rnd(*x.shape) for x in xs)
    vo = v_out if isinstance(y, tuple) else v_out[0]
    vi = v_in[0] if single else v_in
    c = {"name": name, "inputs": enc(xs), "vOut": enc(v_out), "vIn": enc(v_in)}
    o, r = AF.vjp(f, inputs, vo)
    c["vjp"] = {"output": enc(o), "result": enc(r)}
    o, r = AF.jvp(f, inputs, vi)
    c["jvp"] = {"output": enc(o), "result": enc(r)}
    c["jacobian"] = enc(AF.jacobian(f, inputs))
    fwd = AF.jacobian(f, inputs, vectorize=True, strategy="forward-mode")
    c["jacobianForward"] = enc(fwd)
    if scalar:
        c["hessian"] = enc(AF.hessian(f, inputs))
        o, r = AF.hvp(f, inputs, vi)
        c["hvp"] = {"output": enc(o), "result": enc(r)}
        o, r = AF.vhp(f, inputs, vi)
        c["vhp"] = {"output": enc(o), "result": enc(r)}
    out["cases"].append(c)

# An LSTM's Hessian-vector product in its input (double backward through the recurrence).
lstm = torch.nn.LSTM(2, 3)
with torch.no_grad():
    for p in lstm.parameters():
        p.copy_(torch.randn(p.shape) * 0.5)
x = rnd(3, 2, 2)
v = rnd(3, 2, 2)
f = lambda t: lstm(t)[0].pow(2).sum()
o, hv = AF.hvp(f, x, v)
_, vh = AF.vhp(f, x, v)
out["lstm"] = {
    "params": {name: enc(p) for name, p in lstm.named_parameters()},
    "x": enc(x),
    "v": enc(v),
    "output": enc(o),
    "hvp": enc(hv),
    "vhp": enc(vh),
}

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "functional.json")
with open(path, "w") as fh:
    json.dump(out, fh)
    fh.write("\n")
print("wrote", path, len(out["cases"]), "cases")
