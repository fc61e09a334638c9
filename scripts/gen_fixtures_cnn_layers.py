"""Golden values for interpolate and pad (the CNN layers besides conv and pooling) from PyTorch
(Debian's python3-torch). Run: /usr/bin/python3 scripts/gen_fixtures_cnn_layers.py
Writes test/fixtures/cnn_layers.json: per op a list of cases (input, options in myelin's
camelCase, output, output gradient, input gradient)."""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)


def enc(x):
    vals = [float("%.8g" % v) for v in x.detach().reshape(-1).tolist()]
    return {"shape": list(x.shape), "data": vals}


def run(name, fn, shape, args, torch_kw):
    x = torch.randn(shape).requires_grad_()
    y = fn(x, **torch_kw)
    g = torch.randn(y.shape)
    y.backward(g)
    return {"name": name, "args": args, "input": enc(x), "output": enc(y), "gradOutput": enc(g), "grad": enc(x.grad)}


def interp(name, shape, args):
    kw = {"size": "size", "scaleFactor": "scale_factor", "mode": "mode", "alignCorners": "align_corners",
          "recomputeScaleFactor": "recompute_scale_factor"}
    torch_kw = {kw[k]: (tuple(v) if isinstance(v, list) else v) for k, v in args.items()}
    return run(name, F.interpolate, shape, args, torch_kw)


out = {"torch": torch.__version__}
out["interpolate"] = [
    interp("nearest x2", (1, 2, 3, 4), {"scaleFactor": 2}),
    interp("nearest size odd up", (1, 2, 4, 3), {"size": [5, 7]}),
    interp("nearest size down", (1, 2, 5, 7), {"size": [2, 3]}),
    interp("nearest scale 1.7 x 0.5", (1, 1, 5, 6), {"scaleFactor": [1.7, 0.5]}),
    dict(interp("nearest 1d scale 1.3 (out == in)", (2, 2, 3), {"scaleFactor": 1.3}),
         # torch 1.13's backward maps output i to input i when the sizes match, while its forward
         # picks floor(i / 1.3): the gradient below is not the forward's adjoint.
         torchGradInconsistent=True),
    interp("nearest 1d down 0.35", (1, 2, 10), {"scaleFactor": 0.35}),
    interp("nearest 1d size 7 from 3", (1, 2, 3), {"size": 7}),
    interp("nearest-exact size odd", (1, 2, 4, 5), {"size": [7, 3], "mode": "nearest-exact"}),
    interp("nearest-exact 1d 0.35", (1, 1, 10), {"scaleFactor": 0.35, "mode": "nearest-exact"}),
    interp("bilinear x2", (1, 2, 3, 4), {"scaleFactor": 2, "mode": "bilinear", "alignCorners": False}),
    interp("bilinear size odd up", (1, 2, 4, 3), {"size": [5, 7], "mode": "bilinear", "alignCorners": False}),
    interp("bilinear size down", (1, 2, 5, 7), {"size": [2, 3], "mode": "bilinear", "alignCorners": False}),
    interp("bilinear scale 1.5 x 0.7", (1, 1, 5, 6), {"scaleFactor": [1.5, 0.7], "mode": "bilinear"}),
    interp("bilinear align x2", (1, 2, 3, 4), {"scaleFactor": 2, "mode": "bilinear", "alignCorners": True}),
    interp("bilinear align size odd up", (2, 1, 4, 3), {"size": [5, 7], "mode": "bilinear", "alignCorners": True}),
    interp("bilinear align size down", (1, 2, 5, 7), {"size": [2, 3], "mode": "bilinear", "alignCorners": True}),
    interp("bilinear align to one row", (1, 1, 3, 4), {"size": [1, 6], "mode": "bilinear", "alignCorners": True}),
    interp("bilinear same height", (1, 1, 3, 4), {"size": [3, 9], "mode": "bilinear", "alignCorners": False}),
    interp("bilinear recompute scale 1.7", (1, 1, 3, 5), {"scaleFactor": 1.7, "mode": "bilinear", "recomputeScaleFactor": True}),
    interp("linear x2.5", (2, 2, 4), {"scaleFactor": 2.5, "mode": "linear", "alignCorners": False}),
    interp("linear align down", (1, 2, 9), {"size": 4, "mode": "linear", "alignCorners": True}),
    interp("linear align up", (1, 1, 4), {"size": 11, "mode": "linear", "alignCorners": True}),
]


def padc(name, shape, pad, mode="constant", value=None):
    args = {"pad": pad, "mode": mode}
    kw = {"pad": tuple(pad), "mode": mode}
    if value is not None:
        args["value"] = value
        kw["value"] = value
    return run(name, F.pad, shape, args, kw)


out["pad"] = [
    padc("constant 2d value", (1, 2, 4, 5), [1, 2, 0, 3], value=0.5),
    padc("constant negative crops", (1, 2, 4, 5), [-1, 2, 1, -2]),
    padc("constant all dims", (2, 3, 4), [1, 0, 2, 1, 1, 1], value=-1.5),
    padc("reflect 1d", (2, 3, 5), [2, 1], "reflect"),
    padc("reflect 2d asymmetric", (1, 2, 4, 5), [1, 2, 3, 0], "reflect"),
    padc("reflect 2d unbatched", (2, 3, 4), [2, 2, 1, 2], "reflect"),
    padc("reflect negative", (1, 2, 4), [-1, 2], "reflect"),
    padc("reflect 3d", (1, 1, 3, 3, 3), [1, 1, 1, 0, 0, 2], "reflect"),
    padc("replicate 1d", (2, 3, 4), [3, 1], "replicate"),
    padc("replicate 2d", (1, 2, 3, 4), [2, 0, 1, 3], "replicate"),
    padc("replicate 3d", (1, 1, 2, 3, 4), [1, 2, 0, 1, 2, 1], "replicate"),
    padc("replicate negative", (1, 2, 5), [-2, 3], "replicate"),
    padc("circular 1d", (1, 2, 4), [1, 3], "circular"),
    padc("circular 2d", (1, 2, 3, 4), [2, 1, 1, 2], "circular"),
    padc("circular negative", (1, 2, 3), [-1, 2], "circular"),
]

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "cnn_layers.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote", path)
