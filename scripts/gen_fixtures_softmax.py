"""Golden values for softmax / logSoftmax / logsumexp / crossEntropy from PyTorch (Debian's
python3-torch). Run: /usr/bin/python3 scripts/gen_fixtures_softmax.py"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)


def t(x):
    return x.detach().reshape(-1).tolist()


def case_dim(shape, dim, fn):
    x = (torch.randn(shape) * 3).requires_grad_()
    y = fn(x, dim)
    g = torch.randn(y.shape)
    y.backward(g)
    return {"shape": list(shape), "dim": dim, "x": t(x), "y": t(y), "g": t(g), "dx": t(x.grad), "yshape": list(y.shape)}


out = {"torch": torch.__version__, "softmax": [], "logSoftmax": [], "logsumexp": [], "crossEntropy": []}
for shape, dim in [((5, 7), -1), ((5, 7), 0), ((3, 4, 5), 1), ((2, 33), 1), ((17,), 0)]:
    out["softmax"].append(case_dim(shape, dim, lambda x, d: F.softmax(x, d)))
    out["logSoftmax"].append(case_dim(shape, dim, lambda x, d: F.log_softmax(x, d)))
    out["logsumexp"].append(case_dim(shape, dim, lambda x, d: torch.logsumexp(x, d)))

big = torch.tensor([[1000.0, 2000.0, 3000.0]])
out["large"] = {"x": t(big), "softmax": t(F.softmax(big, -1)), "logSoftmax": t(F.log_softmax(big, -1)),
                "logsumexp": t(torch.logsumexp(big, -1))}


def ce_case(name, shape, classes_dim_target, **kw):
    x = (torch.randn(shape) * 2).requires_grad_()
    probs = kw.pop("probs", False)
    if probs:
        target = torch.softmax(torch.randn(shape), 1).requires_grad_()
    else:
        tshape = (shape[0],) + tuple(shape[2:]) if len(shape) > 1 else ()
        target = torch.randint(0, shape[1] if len(shape) > 1 else shape[0], tshape)
        if "ignore_index" in kw and target.numel() > 1:
            target.view(-1)[1] = kw["ignore_index"]
    weight = kw.pop("weight", None)
    w = torch.rand(shape[1] if len(shape) > 1 else shape[0]) + 0.5 if weight else None
    loss = F.cross_entropy(x, target, weight=w, **kw)
    g = torch.randn(loss.shape)
    loss.backward(g)
    out["crossEntropy"].append({
        "name": name, "shape": list(shape), "x": t(x), "target": t(target), "targetShape": list(target.shape),
        "probs": probs, "weight": t(w) if w is not None else None, "options": kw,
        "loss": t(loss), "lossShape": list(loss.shape), "g": t(g), "dx": t(x.grad),
        "dtarget": t(target.grad) if probs else None})


ce_case("mean", (6, 5), None)
ce_case("sum", (6, 5), None, reduction="sum")
ce_case("none", (6, 5), None, reduction="none")
ce_case("weight", (6, 5), None, weight=True)
ce_case("ignore", (6, 5), None, ignore_index=2)
ce_case("weight+ignore+smoothing", (7, 4), None, weight=True, ignore_index=1, label_smoothing=0.2)
ce_case("smoothing", (6, 5), None, label_smoothing=0.1)
ce_case("probs", (6, 5), None, probs=True)
ce_case("probs weight smoothing", (6, 5), None, probs=True, weight=True, label_smoothing=0.3)
ce_case("spatial NCHW", (2, 3, 4, 5), None)
ce_case("spatial none", (2, 3, 4), None, reduction="none")
ce_case("unbatched", (5,), None)
ce_case("many classes", (3, 1000), None)

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "softmax.json")
with open(path, "w") as f:
    json.dump(out, f)
