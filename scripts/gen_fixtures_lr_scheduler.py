"""LR sequences of every scheduler from PyTorch (Debian's python3-torch), for
test/optim/lr_scheduler.test.ts. Run: /usr/bin/python3 scripts/gen_fixtures_lr_scheduler.py"""
import json
import math
import os

import torch
from torch.optim import SGD, Adam
from torch.optim import lr_scheduler as S

STEPS = 30


def run(make, opt="sgd", metrics=None, lr=0.1):
    p = torch.nn.Parameter(torch.zeros(1))
    q = torch.nn.Parameter(torch.zeros(1))
    if opt == "sgd":
        o = SGD([{"params": [p]}, {"params": [q], "lr": lr * 0.5}], lr=lr, momentum=0.9)
    else:
        o = Adam([{"params": [p]}, {"params": [q], "lr": lr * 0.5}], lr=lr)
    s = make(o)
    lrs, moms = [], []
    for i in range(STEPS):
        lrs.append([g["lr"] for g in o.param_groups])
        moms.append([g["betas"][0] if "betas" in g else g["momentum"] for g in o.param_groups])
        o.step()
        if metrics is not None:
            s.step(metrics[i])
        else:
            s.step()
    return {"lrs": lrs, "momenta": moms}


plateau_metrics = [1.0, 0.9, 0.9, 0.9, 0.95, 0.89, 0.89, 0.89, 0.89, 0.88] * 3
cases = {
    "StepLR": run(lambda o: S.StepLR(o, step_size=4, gamma=0.5)),
    "MultiStepLR": run(lambda o: S.MultiStepLR(o, milestones=[3, 7, 7, 12], gamma=0.3)),
    "ExponentialLR": run(lambda o: S.ExponentialLR(o, gamma=0.9)),
    "CosineAnnealingLR": run(lambda o: S.CosineAnnealingLR(o, T_max=7, eta_min=0.001)),
    "LinearLR": run(lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=6)),
    "LambdaLR": run(lambda o: S.LambdaLR(o, lr_lambda=lambda e: 0.95 ** e)),
    "OneCycleLR_sgd": run(lambda o: S.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=STEPS)),
    "OneCycleLR_adam_linear_3phase": run(
        lambda o: S.OneCycleLR(o, max_lr=0.01, total_steps=STEPS, anneal_strategy="linear", three_phase=True), opt="adam"),
    "SequentialLR": run(lambda o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.1, total_iters=5), S.CosineAnnealingLR(o, T_max=20)], milestones=[5])),
    "ReduceLROnPlateau": run(lambda o: S.ReduceLROnPlateau(o, patience=2, factor=0.5, cooldown=1), metrics=plateau_metrics),
}
cases["ReduceLROnPlateau"]["metrics"] = plateau_metrics

out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "lr_schedulers.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "steps": STEPS, "cases": cases}, f, indent=0)
print("wrote", out)
