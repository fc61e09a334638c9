"""PyTorch side of bench/autocast.mjs (B2): M1's training step (MLP 784-256-128-10, cross-entropy,
SGD momentum 0.9 lr 0.01) at one batch size, in float32 and under
torch.autocast('cpu', dtype=torch.bfloat16), timed as bench/autocast.mjs times myelin's: warm up,
then the median of samples of CPU seconds a step (the machine is shared; B2_CLOCK=wall for
wall time). Prints one JSON line.
    ../shared/tools/torch-python 1 bench/peers/autocast_m1.py 256"""
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def steps_per_s(model, x, y, autocast, warmup, samples, calls):
    """Steps a second of one SGD (momentum 0.9, lr 0.01) cross-entropy training step of model on
    (x, y), in float32 or under autocast: the median of `samples` timings of `calls` steps."""
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(warmup):
        step()
    clock = time.perf_counter if os.environ.get("B2_CLOCK") == "wall" else time.process_time
    times = []
    for _ in range(samples):
        t0 = clock()
        for _ in range(calls):
            step()
        times.append((clock() - t0) / calls)
    return 1.0 / statistics.median(times)


def m1_steps_per_s(batch, autocast, warmup, samples, calls):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    x = torch.randn(batch, 784)
    y = torch.randint(0, 10, (batch,))
    return steps_per_s(model, x, y, autocast, warmup, samples, calls)


if __name__ == "__main__":
    batch = int(sys.argv[1]) if len(sys.argv) > 1 else 256
    warmup = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    print(json.dumps({
        "torch": torch.__version__, "threads": torch.get_num_threads(),
        "fp32": m1_steps_per_s(batch, False, warmup, 15, 10),
        "autocast": m1_steps_per_s(batch, True, warmup, 15, 10),
    }))
