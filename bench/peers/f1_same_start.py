"""F1 from a given start: PyTorch draws the initial weights and the five epochs' batch orders
(seed from argv), writes them to OUT_DIR for bench/f1_same_start.mjs, then trains from them and
prints per-epoch mean training loss and the test accuracy as JSON.
    python3 bench/peers/f1_same_start.py SEED OUT_DIR [--threads 1]"""
import argparse
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_bench import fashion_mnist

EPOCHS, BATCH, LR, TEST_BATCH = 5, 128, 1e-3, 1000

ap = argparse.ArgumentParser()
ap.add_argument("seed", type=int)
ap.add_argument("out_dir")
ap.add_argument("--threads", type=int, default=1)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
xtr, ytr = fashion_mnist("train")
xte, yte = fashion_mnist("t10k")
n = xtr.shape[0]
orders = [torch.randperm(n) for _ in range(EPOCHS)]
os.makedirs(a.out_dir, exist_ok=True)
params = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
with open(os.path.join(a.out_dir, "params.json"), "w") as f:
    json.dump({k: list(v.shape) for k, v in params.items()}, f)
for k, v in params.items():
    v.tofile(os.path.join(a.out_dir, f"{k}.f32"))
np.stack([o.numpy().astype(np.int32) for o in orders]).tofile(os.path.join(a.out_dir, "orders.i32"))

opt = torch.optim.Adam(model.parameters(), lr=LR)
losses = []
model.train()
for order in orders:
    total, steps = 0.0, 0
    for i in range(0, n, BATCH):
        idx = order[i:i + BATCH]
        opt.zero_grad()
        loss = F.cross_entropy(model(xtr.index_select(0, idx)), ytr.index_select(0, idx))
        loss.backward()
        opt.step()
        total += loss.item()
        steps += 1
    losses.append(total / steps)
model.eval()
correct = 0
with torch.no_grad():
    for i in range(0, xte.shape[0], TEST_BATCH):
        correct += (model(xte[i:i + TEST_BATCH]).argmax(1) == yte[i:i + TEST_BATCH]).sum().item()
print(json.dumps({"losses": losses, "accuracy": correct / xte.shape[0]}))
