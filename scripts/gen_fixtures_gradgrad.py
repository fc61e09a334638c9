"""Second derivatives through a small CNN, as test/autograd/recorded_backward.test.ts builds it:
the WGAN-GP gradient penalty of a critic (Conv2d, LeakyReLU, MaxPool2d, Conv2d, GroupNorm,
LeakyReLU, Linear) backpropagated to the critic's parameters, and a Hessian-vector product of
an MSE loss through the same network with respect to its parameters. Run:
/usr/bin/python3 scripts/gen_fixtures_gradgrad.py (writes test/fixtures/gradgrad.json)."""
import json
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

out = {"params": {n: enc(p) for n, p in zip(names, params)}, "wgan": wgan, "hvp": hvp}
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "gradgrad.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path, "penalty", penalty.item(), "loss", value.item())
