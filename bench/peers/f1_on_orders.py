"""PyTorch's side of bench/f1_orders.mjs: F1 trained from PyTorch's initial weights for SEED (drawn
as bench/peers/f1_same_start.py draws them) on two sets of five epochs' batch orders, myelin's (from
ORDERS_FILE, int32) and NumPy's (default_rng(SEED + 1000) permutations); prints the two test
accuracies (percent) as JSON.
    python3 bench/peers/f1_on_orders.py SEED ORDERS_FILE"""
import json
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_bench import fashion_mnist

EPOCHS, BATCH, LR, TEST_BATCH = 5, 128, 1e-3, 1000
seed, orders_file = int(sys.argv[1]), sys.argv[2]
torch.set_num_threads(1)
xtr, ytr = fashion_mnist("train")
xte, yte = fashion_mnist("t10k")
n = xtr.shape[0]


def accuracy_after_training(orders):
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)
    )
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    for order in orders:
        for i in range(0, n, BATCH):
            idx = order[i:i + BATCH]
            opt.zero_grad()
            F.cross_entropy(model(xtr.index_select(0, idx)), ytr.index_select(0, idx)).backward()
            opt.step()
    with torch.no_grad():
        correct = sum(
            (model(xte[i:i + TEST_BATCH]).argmax(1) == yte[i:i + TEST_BATCH]).sum().item()
            for i in range(0, xte.shape[0], TEST_BATCH)
        )
    return 100 * correct / xte.shape[0]


mine = torch.from_numpy(np.fromfile(orders_file, dtype=np.int32).astype(np.int64)).reshape(EPOCHS, n)
rng = np.random.default_rng(seed + 1000)
theirs = torch.from_numpy(np.stack([rng.permutation(n) for _ in range(EPOCHS)]))
print(json.dumps({"myelin_orders": accuracy_after_training(mine), "numpy_orders": accuracy_after_training(theirs)}))
