"""A small model trained N steps by each optimizer in PyTorch (Debian's python3-torch), from fixed
initial weights and data; test/optim/training.test.ts replays it in myelin.
Run: /usr/bin/python3 scripts/gen_fixtures_training.py"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1)
N, D, H, C, STEPS = 16, 6, 8, 4, 6
x = torch.randn(N, D)
y = torch.randint(0, C, (N,))
init = {"0.weight": torch.randn(H, D) * 0.4, "0.bias": torch.randn(H) * 0.1,
        "1.weight": torch.randn(C, H) * 0.4, "1.bias": torch.randn(C) * 0.1}

configs = {
    "sgd": (torch.optim.SGD, {"lr": 0.1}),
    "sgd_momentum_wd": (torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01, "dampening": 0.1}),
    "sgd_nesterov": (torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    "adam": (torch.optim.Adam, {"lr": 0.01}),
    "adam_amsgrad_wd": (torch.optim.Adam, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
    "adamw": (torch.optim.AdamW, {"lr": 0.01, "weight_decay": 0.1}),
    "rmsprop": (torch.optim.RMSprop, {"lr": 0.01}),
    "rmsprop_centered_momentum": (torch.optim.RMSprop, {"lr": 0.01, "momentum": 0.5, "centered": True, "weight_decay": 0.01}),
    "adagrad": (torch.optim.Adagrad, {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
}

x = torch.tanh(x)  # a fixed, non-trivial input
out = {"torch": torch.__version__, "x": x.reshape(-1).tolist(), "y": y.tolist(), "shape": [N, D, H, C], "steps": STEPS,
       "init": {k: v.reshape(-1).tolist() for k, v in init.items()}, "runs": {}}
for name, (cls, kw) in configs.items():
    model = nn.Sequential(nn.Linear(D, H), nn.Linear(H, C))
    model.load_state_dict(init)
    opt = cls(model.parameters(), **kw)
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    out["runs"][name] = {"options": kw, "losses": losses,
                         "params": {k: v.reshape(-1).tolist() for k, v in model.state_dict().items()}}

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "training.json")
with open(path, "w") as f:
    json.dump(out, f)
