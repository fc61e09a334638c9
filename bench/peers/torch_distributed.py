"""PyTorch's side of the D1/D2 benchmarks (bench/distributed.mjs starts the ranks; the
environment is torchrun's). Same timing as bench/distributed/rank.mjs. Prints one JSON line (rank 0).
    python3 bench/peers/torch_distributed.py d1 '[4096, 1048576]'
    python3 bench/peers/torch_distributed.py d2 m1|n1 [--no-ddp]"""
import json
import statistics
import sys
import time

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

mode, arg = sys.argv[1], sys.argv[2]
plain = len(sys.argv) > 3 and sys.argv[3] == "--no-ddp"
torch.set_num_threads(1)
if not plain:
    dist.init_process_group("gloo")
rank = 0 if plain else dist.get_rank()


def per_call(fn, warmup, samples, calls):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(samples):
        if not plain:
            dist.barrier()
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - t0) / calls)
    return statistics.median(times), min(times), max(times), times


rows = []
if mode == "d1":
    for nbytes in json.loads(arg):
        t = torch.zeros(nbytes // 4)
        calls = min(200, max(1, round((32 << 20) / nbytes)))
        med, lo, hi, times = per_call(lambda: dist.all_reduce(t), min(calls, 20), 7, calls)
        rows.append({"bytes": nbytes, "seconds": med, "GBps": nbytes / med / 1e9, "GBpsMin": nbytes / hi / 1e9, "GBpsMax": nbytes / lo / 1e9,
                     "samples": times})
else:
    if arg == "m1":
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    else:
        def block(cin, cout):
            return [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU()]
        model = nn.Sequential(*block(3, 32), nn.MaxPool2d(2), *block(32, 64), nn.MaxPool2d(2), *block(64, 128),
                              nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 10))
    wrapped = model if plain else nn.parallel.DistributedDataParallel(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    torch.manual_seed(rank)
    batch = 256 if arg == "m1" else 32
    x = torch.randn(batch, 784) if arg == "m1" else torch.randn(batch, 3, 32, 32)
    y = torch.randint(0, 10, (batch,))

    def step():
        opt.zero_grad()
        F.cross_entropy(wrapped(x), y).backward()
        opt.step()

    med, lo, hi, _ = per_call(step, 600, 9, 40) if arg == "m1" else per_call(step, 20, 9, 8)
    rows.append({"model": arg, "batch": batch, "stepsPerSecond": 1 / med, "min": 1 / hi, "max": 1 / lo})
if rank == 0:
    print(json.dumps(rows))
if not plain:
    dist.destroy_process_group()
