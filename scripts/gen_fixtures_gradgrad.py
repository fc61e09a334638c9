"""Second derivatives through a small CNN, as test/autograd/recorded_backward.test.ts builds it:
the WGAN-GP gradient penalty of a critic (Conv2d, LeakyReLU, MaxPool2d, Conv2d, GroupNorm,
LeakyReLU, Linear) backpropagated to the critic's parameters, and a Hessian-vector product of
an MSE loss through the same network with respect to its parameters; a parameter reached only
through a piecewise-linear op's slope (zeros where PyTorch records that path, none where it does
not); binary_cross_entropy's second derivatives at inputs exactly 0 and 1. Run:
/usr/bin/python3 scripts/gen_fixtures_gradgrad.py (writes test/fixtures/gradgrad.json)."""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import functional as AF

torch.manual_seed(0)


def enc(t):
    return {"shape": list(t.shape), "dtype": "float32", "data": t.detach().reshape(-1).double().tolist()}


critic = nn.Sequential(
    nn.Conv2d(2, 4, 3, padding=1),
    nn.LeakyReLU(0.2),
    nn.MaxPool2d(2),
    nn.Conv2d(4, 4, 3, padding=1, stride=1),
    nn.GroupNorm(2, 4),
    nn.LeakyReLU(0.2),
    nn.Flatten(),
    nn.Linear(4 * 3 * 3, 1),
)
# GroupNorm's affine parameters start at 1 and 0: draw them, so that their gradients are generic.
with torch.no_grad():
    critic[4].weight.uniform_(0.5, 1.5)
    critic[4].bias.uniform_(-0.5, 0.5)
names = [n for n, _ in critic.named_parameters()]
params = [p for _, p in critic.named_parameters()]

real = torch.randn(3, 2, 6, 6)
fake = torch.randn(3, 2, 6, 6)
eps = torch.rand(3, 1, 1, 1)

# WGAN-GP (Gulrajani et al. 2017): the critic's input gradient at points between real and fake
# samples, its norm pushed towards 1.
xhat = (eps * real + (1 - eps) * fake).requires_grad_()
(g,) = torch.autograd.grad(critic(xhat).sum(), xhat, create_graph=True)
penalty = ((g.flatten(1).norm(2, dim=1) - 1) ** 2).mean()
penalty.backward()

wgan = {
    "real": enc(real),
    "fake": enc(fake),
    "eps": enc(eps),
    "inputGrad": enc(g),
    "penalty": penalty.item(),
    # The last bias does not move the input gradient: no gradient (None, null).
    "grads": {n: None if p.grad is None else enc(p.grad) for n, p in zip(names, params)},
}

# hvp of an MSE loss with respect to the parameters, along a random direction.
x = torch.randn(4, 2, 6, 6)
target = torch.randn(4, 1)
v = [torch.randn_like(p) for p in params]


def loss_of(*ps):
    h = F.conv2d(x, ps[0], ps[1], padding=1)
    h = F.max_pool2d(F.leaky_relu(h, 0.2), 2)
    h = F.conv2d(h, ps[2], ps[3], padding=1)
    h = F.leaky_relu(F.group_norm(h, 2, ps[4], ps[5]), 0.2)
    return F.mse_loss(F.linear(h.flatten(1), ps[6], ps[7]), target)


value, hv = AF.hvp(loss_of, tuple(p.detach() for p in params), tuple(v))
hvp = {
    "x": enc(x),
    "target": enc(target),
    "v": [enc(t) for t in v],
    "loss": value.item(),
    "hvp": [enc(t) for t in hv],
}


def enc_nonfinite(t):
    """enc, with infinities and NaN written as the strings JavaScript's Number() reads."""
    e = enc(t)
    e["data"] = [v if math.isfinite(v) else ("NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")) for v in e["data"]]
    return e


# A bias b reached by the input gradient only through the op's slope: PyTorch's backward ops
# (threshold_backward, leaky_relu_backward, hardtanh_backward, max_pool2d_with_indices_backward)
# record a zero derivative with respect to their input, so b gets zeros; clamp's backward is a
# select on a mask, which records nothing: the input gradient has no graph at all.
slope_ops = {
    "relu": F.relu,
    "leakyRelu": lambda x: F.leaky_relu(x, 0.2),
    "hardtanh": F.hardtanh,
    "relu6": F.relu6,
    "maxPool2d": lambda x: F.max_pool2d(x, 2),
    "adaptiveMaxPool2d": lambda x: F.adaptive_max_pool2d(x, 2),
    "maxPool1d": lambda x: F.max_pool1d(x.flatten(2), 2),
    "clamp": lambda x: x.clamp(-0.5, 0.5),
}
slope_inp = torch.randn(2, 3, 4, 4)
slope_b = torch.randn(3)
slopes = {"input": enc(slope_inp), "bias": enc(slope_b), "ops": {}}
for name, f in slope_ops.items():
    inp = slope_inp.clone().requires_grad_()
    b = slope_b.clone().requires_grad_()
    y = f(inp + b.view(1, 3, 1, 1))
    c = torch.randn(y.shape)
    (g,) = torch.autograd.grad((y * c).sum(), inp, create_graph=True)
    r = torch.randn(g.shape)
    case = {"outWeight": enc(c), "gradWeight": enc(r), "graph": g.requires_grad}
    if g.requires_grad:
        (g * r).sum().backward()
        case["biasGrad"] = None if b.grad is None else enc(b.grad)
    slopes["ops"][name] = case

# binary_cross_entropy at inputs exactly 0 and 1 (and two inside), weighted: the input's and
# the target's gradients under create_graph, and their gradients with respect to both.
bce_x = [0.0, 1.0, 0.3, 0.0, 1.0, 0.7]
bce_t = [0.0, 1.0, 1.0, 1.0, 0.0, 0.2]
bce_w = [1.0, 2.0, 0.5, 1.5, 1.0, 1.0]
bce = {"input": bce_x, "target": bce_t, "weight": bce_w, "cases": []}
for reduction in ["mean", "sum", "none"]:
    for wrt in ["input", "target"]:
        x_ = torch.tensor(bce_x, requires_grad=True)
        t_ = torch.tensor(bce_t, requires_grad=True)
        loss = F.binary_cross_entropy(x_, t_, weight=torch.tensor(bce_w), reduction=reduction)
        (g,) = torch.autograd.grad(loss.sum(), x_ if wrt == "input" else t_, create_graph=True)
        hx, ht = torch.autograd.grad(g.sum(), [x_, t_], allow_unused=True)
        bce["cases"].append(
            {
                "reduction": reduction,
                "wrt": wrt,
                "grad": enc_nonfinite(g),
                "dInput": None if hx is None else enc_nonfinite(hx),
                "dTarget": None if ht is None else enc_nonfinite(ht),
            }
        )

out = {"params": {n: enc(p) for n, p in zip(names, params)}, "wgan": wgan, "hvp": hvp, "slopes": slopes, "bce": bce}
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "gradgrad.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path, "penalty", penalty.item(), "loss", value.item())
