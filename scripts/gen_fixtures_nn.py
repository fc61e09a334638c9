"""Golden values for myelin.nn (activations, losses, BatchNorm1d, LayerNorm, Bilinear, reprs,
state-dict keys) from PyTorch (Debian's python3-torch).
Run: /usr/bin/python3 scripts/gen_fixtures_nn.py  (writes test/fixtures/nn.json)"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


def t(x):
    return [round(v, 7) if isinstance(v, float) else v for v in x.detach().reshape(-1).tolist()]


def enc(x):
    return {"shape": list(x.shape), "data": t(x)}


out = {"torch": torch.__version__}

# ---- activations: forward and backward ----------------------------------------------------
acts = [
    ("relu", {}, lambda x: F.relu(x)),
    ("leakyRelu", {"negativeSlope": 0.2}, lambda x: F.leaky_relu(x, 0.2)),
    ("leakyRelu", {}, lambda x: F.leaky_relu(x)),
    ("elu", {"alpha": 1.5}, lambda x: F.elu(x, 1.5)),
    ("selu", {}, lambda x: F.selu(x)),
    ("gelu", {}, lambda x: F.gelu(x)),
    ("gelu", {"approximate": "tanh"}, lambda x: F.gelu(x, approximate="tanh")),
    ("silu", {}, lambda x: F.silu(x)),
    ("sigmoid", {}, lambda x: torch.sigmoid(x)),
    ("tanh", {}, lambda x: torch.tanh(x)),
    ("softplus", {}, lambda x: F.softplus(x)),
    ("softplus", {"beta": 2, "threshold": 5}, lambda x: F.softplus(x, beta=2, threshold=5)),
    ("sine", {"w0": 30}, lambda x: torch.sin(30 * x)),
]
out["activations"] = []
for name, opts, fn in acts:
    x = (torch.randn(4, 6) * 3)
    x.view(-1)[:3] = torch.tensor([0.5, -0.5, 12.0])
    if name == "sine":
        x = x / 30
    x.requires_grad_()
    y = fn(x)
    g = torch.randn(y.shape)
    y.backward(g)
    out["activations"].append({"name": name, "options": opts, "x": enc(x), "y": t(y), "g": t(g), "dx": t(x.grad)})

# ---- losses ------------------------------------------------------------------------------
out["losses"] = []


def loss_case(name, fn, x, target, opts, target_grad=True):
    x = x.clone().requires_grad_()
    target = target.clone()
    if target_grad:
        target.requires_grad_()
    y = fn(x, target)
    g = torch.randn(y.shape)
    y.backward(g)
    out["losses"].append({
        "name": name, "options": opts, "x": enc(x), "target": enc(target), "targetDtype": "float32",
        "y": enc(y), "g": t(g), "dx": t(x.grad), "dtarget": t(target.grad) if target_grad else None})


for red in ["mean", "sum", "none"]:
    a, b = torch.randn(3, 4), torch.randn(3, 4)
    loss_case("mseLoss", lambda x, y: F.mse_loss(x, y, reduction=red), a, b, {"reduction": red})
    loss_case("l1Loss", lambda x, y: F.l1_loss(x, y, reduction=red), a, b, {"reduction": red})
    loss_case("smoothL1Loss", lambda x, y: F.smooth_l1_loss(x, y, reduction=red, beta=0.5), a, b, {"reduction": red, "beta": 0.5})
    loss_case("smoothL1Loss", lambda x, y: F.smooth_l1_loss(x, y, reduction=red), a, b, {"reduction": red})
    loss_case("huberLoss", lambda x, y: F.huber_loss(x, y, reduction=red, delta=0.7), a, b, {"reduction": red, "delta": 0.7})
    p = torch.rand(3, 4) * 0.98 + 0.01
    p.view(-1)[0] = 0.0  # log clamped to -100
    yb = (torch.rand(3, 4) > 0.5).float()
    yb.view(-1)[0] = 0.0
    w = torch.rand(4) + 0.5
    loss_case("binaryCrossEntropy", lambda x, y: F.binary_cross_entropy(x, y, reduction=red), p, yb, {"reduction": red}, False)
    loss_case("binaryCrossEntropy", lambda x, y: F.binary_cross_entropy(x, y, weight=w, reduction=red), p, yb,
              {"reduction": red, "weight": enc(w)}, False)
    logits = torch.randn(3, 4) * 4
    logits.view(-1)[1] = 60.0
    logits.view(-1)[2] = -60.0
    soft = torch.rand(3, 4)
    pw = torch.rand(4) * 3
    loss_case("binaryCrossEntropyWithLogits", lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction=red), logits, soft,
              {"reduction": red})
    loss_case("binaryCrossEntropyWithLogits",
              lambda x, y: F.binary_cross_entropy_with_logits(x, y, weight=w, pos_weight=pw, reduction=red), logits, soft,
              {"reduction": red, "weight": enc(w), "posWeight": enc(pw)})
for red in ["mean", "sum", "none", "batchmean"]:
    lp = F.log_softmax(torch.randn(3, 5), 1)
    q = F.softmax(torch.randn(3, 5), 1)
    loss_case("klDiv", lambda x, y: F.kl_div(x, y, reduction=red), lp, q, {"reduction": red})
    q.view(-1)[3] = 0.0  # xlogy(0, 0) = 0; torch's target gradient is NaN there, so none is compared
    loss_case("klDiv", lambda x, y: F.kl_div(x, y, reduction=red), lp, q, {"reduction": red}, False)
    lq = F.log_softmax(torch.randn(3, 5), 1)
    loss_case("klDiv", lambda x, y: F.kl_div(x, y, reduction=red, log_target=True), lp, lq, {"reduction": red, "logTarget": True})

out["nll"] = []


def nll_case(shape, **kw):
    x = F.log_softmax(torch.randn(shape), 1 if len(shape) > 1 else 0).detach().requires_grad_()
    C = shape[1] if len(shape) > 1 else shape[0]
    tshape = (shape[0],) + tuple(shape[2:]) if len(shape) > 1 else ()
    target = torch.randint(0, C, tshape)
    opts = {}
    if "ignore_index" in kw:
        target.view(-1)[0] = kw["ignore_index"]
        opts["ignoreIndex"] = kw["ignore_index"]
    w = None
    if kw.get("weight"):
        w = torch.rand(C) + 0.5
        opts["weight"] = enc(w)
    red = kw.get("reduction", "mean")
    opts["reduction"] = red
    y = F.nll_loss(x, target, weight=w, ignore_index=kw.get("ignore_index", -100), reduction=red)
    g = torch.randn(y.shape)
    y.backward(g)
    out["nll"].append({"options": opts, "x": enc(x), "target": enc(target), "y": enc(y), "g": t(g), "dx": t(x.grad)})


nll_case((5, 4))
nll_case((5, 4), reduction="sum")
nll_case((5, 4), reduction="none", weight=True)
nll_case((5, 4), weight=True, ignore_index=1)
nll_case((2, 3, 4), weight=True)
nll_case((4,))

# ---- BatchNorm1d: several training steps, then eval --------------------------------------
out["batchnorm"] = []


def bn_case(name, shape, steps=3, **kw):
    torch.manual_seed(len(out["batchnorm"]) + 10)
    bn = nn.BatchNorm1d(shape[1], **kw)
    if bn.affine:
        with torch.no_grad():
            bn.weight.copy_(torch.rand(shape[1]) + 0.5)
            bn.bias.copy_(torch.randn(shape[1]))
    init = {k: t(v) for k, v in bn.state_dict().items()}
    recs = []
    for _ in range(steps):
        x = (torch.randn(shape) * 2 + 1).requires_grad_()
        bn.zero_grad()
        y = bn(x)
        g = torch.randn(y.shape)
        y.backward(g)
        recs.append({"x": t(x), "y": t(y), "g": t(g), "dx": t(x.grad),
                     "dweight": t(bn.weight.grad) if bn.affine else None, "dbias": t(bn.bias.grad) if bn.affine else None,
                     "state": {k: t(v) for k, v in bn.state_dict().items()}})
    bn.eval()
    x = (torch.randn(shape) * 2 + 1).requires_grad_()
    y = bn(x)
    g = torch.randn(y.shape)
    y.backward(g)
    ev = {"x": t(x), "y": t(y), "g": t(g), "dx": t(x.grad)}
    opts = {"momentum": kw.get("momentum", 0.1), "affine": kw.get("affine", True),
            "trackRunningStats": kw.get("track_running_stats", True)}
    out["batchnorm"].append({"name": name, "shape": list(shape), "options": opts, "init": init, "steps": recs, "eval": ev,
                             "keys": list(bn.state_dict().keys()), "repr": repr(bn)})


bn_case("2d", (6, 4))
bn_case("3d", (3, 4, 5))
bn_case("momentum None", (5, 3), momentum=None)
bn_case("no affine", (5, 3), affine=False)
bn_case("no running stats", (5, 3), track_running_stats=False)

# ---- LayerNorm ---------------------------------------------------------------------------
out["layernorm"] = []
for shape, norm in [((4, 5), (5,)), ((2, 3, 4), (3, 4)), ((3, 6), (6,))]:
    affine = norm != (6,)
    ln = nn.LayerNorm(norm, elementwise_affine=affine)
    if affine:
        with torch.no_grad():
            ln.weight.copy_(torch.rand(norm) + 0.5)
            ln.bias.copy_(torch.randn(norm))
    x = (torch.randn(shape) * 3 + 2).requires_grad_()
    y = ln(x)
    g = torch.randn(y.shape)
    y.backward(g)
    out["layernorm"].append({"shape": list(shape), "normalizedShape": list(norm), "affine": affine,
                             "weight": t(ln.weight) if affine else None, "bias": t(ln.bias) if affine else None,
                             "x": t(x), "y": t(y), "g": t(g), "dx": t(x.grad),
                             "dweight": t(ln.weight.grad) if affine else None, "dbias": t(ln.bias.grad) if affine else None,
                             "repr": repr(ln)})

# ---- Bilinear ----------------------------------------------------------------------------
bl = nn.Bilinear(3, 4, 5)
x1 = torch.randn(2, 3, requires_grad=True)
x2 = torch.randn(2, 4, requires_grad=True)
y = bl(x1, x2)
g = torch.randn(y.shape)
y.backward(g)
out["bilinear"] = {"weight": enc(bl.weight), "bias": t(bl.bias), "x1": enc(x1), "x2": enc(x2), "y": enc(y), "g": t(g),
                   "dx1": t(x1.grad), "dx2": t(x2.grad), "dweight": t(bl.weight.grad), "dbias": t(bl.bias.grad), "repr": repr(bl)}

# ---- reprs and state-dict keys of a sample model -----------------------------------------
model = nn.Sequential(
    nn.Flatten(), nn.Unflatten(1, (2, 392)), nn.Flatten(),
    nn.Linear(784, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.2),
    nn.Linear(256, 128, bias=False), nn.LayerNorm(128), nn.LeakyReLU(), nn.ELU(), nn.SELU(), nn.GELU(),
    nn.GELU(approximate="tanh"), nn.SiLU(), nn.Sigmoid(), nn.Tanh(), nn.Softplus(), nn.Identity(),
    nn.Sequential(nn.Linear(128, 10), nn.LeakyReLU(0.2, inplace=True), nn.ReLU(inplace=True)),
    nn.LogSoftmax(dim=1), nn.Softmax(dim=-1),
)
extra = [nn.BatchNorm1d(7, momentum=None, affine=False), nn.BatchNorm1d(3, eps=1e-3, momentum=0.01, track_running_stats=False),
         nn.LayerNorm((3, 4), eps=1e-6, elementwise_affine=False), nn.Bilinear(2, 3, 4, bias=False), nn.Dropout(),
         nn.ELU(alpha=0.5, inplace=True), nn.Softmax(), nn.MSELoss(), nn.CrossEntropyLoss(), nn.BCEWithLogitsLoss(),
         nn.KLDivLoss(reduction="batchmean"), nn.Softplus(beta=2, threshold=10), nn.Linear(3, 2, bias=False)]
out["repr"] = {"model": repr(model), "keys": list(model.state_dict().keys()), "extra": [repr(m) for m in extra]}

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "nn.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"), allow_nan=False)
print("wrote", path, os.path.getsize(path), "bytes")
