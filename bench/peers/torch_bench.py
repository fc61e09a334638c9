"""PyTorch side of the side-by-side benchmarks (Debian's python3-torch). Prints one JSON object
with the rows for a workload id at a thread count:
    python3 bench/peers/torch_bench.py S1 --threads 1
Timing: warm up, then the median of repeated samples, as bench/lib/timing.js does."""
import argparse
import gzip
import json
import os
import statistics
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def seconds_per_call(fn, warmup=3, samples=11, calls=5, cpu=False):
    """Median seconds per call; CPU time of this process with cpu=True (as bench/lib/timing.js)."""
    now = time.process_time if cpu else time.perf_counter
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(samples):
        t0 = now()
        for _ in range(calls):
            fn()
        times.append((now() - t0) / calls)
    return statistics.median(times)


def mean_over_loop(fn, calls=200):
    """Mean seconds per call over `calls` calls back to back (as bench/lib/timing.js meanOverLoop)."""
    t0 = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - t0) / calls


def s1():
    x = torch.randn(4096, 1000)
    y = torch.empty_like(x)
    lse = torch.empty(4096)
    moved = 2 * x.numel() * 4
    rows = []
    for name, fn, nbytes in [
        ("softmax", lambda: torch.softmax(x, -1), moved),
        ("log_softmax", lambda: torch.log_softmax(x, -1), moved),
        ("logsumexp", lambda: torch.logsumexp(x, -1), x.numel() * 4 + 4096 * 4),
        ("softmax, out=", lambda: torch.softmax(x, -1, out=y), moved),
        ("log_softmax, out=", lambda: torch.log_softmax(x, -1, out=y), moved),
        ("logsumexp, out=", lambda: torch.logsumexp(x, -1, out=lse), x.numel() * 4 + 4096 * 4),
    ]:
        s = seconds_per_call(fn, samples=15)
        row = {"case": name, "ms": s * 1e3, "GBps": nbytes / s / 1e9}
        if "out=" not in name:  # the allocating calls: also the mean over a long loop
            row["mean200_ms"] = mean_over_loop(fn) * 1e3
        rows.append(row)
    return rows


def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def train_steps(batch, make_opt):
    torch.manual_seed(0)
    model = mlp()
    opt = make_opt(model.parameters())
    x = torch.randn(batch, 784)
    y = torch.randint(0, 10, (batch,))

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    s = seconds_per_call(step, warmup=1000, samples=15, calls=20)  # as M1.js (V8's warm-up)
    return 1.0 / s


def m1():
    return [{"case": f"batch {b}", "steps_per_s": train_steps(b, lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9))}
            for b in (64, 128, 256)]


def m2():
    return [{"case": "batch 128", "steps_per_s": train_steps(128, lambda p: torch.optim.Adam(p, lr=1e-3))}]


def t1():
    """Per-op overhead (1,000 chained ops on a 4-element tensor, with and without grad) and a
    large elementwise chain on 4M elements."""
    rows = []
    small = torch.ones(4)

    def chain(x):
        for _ in range(250):
            x = x * 1.0001
            x = x + 0.5
            x = x - 0.5
            x = torch.relu(x)
        return x

    with torch.no_grad():
        s = seconds_per_call(lambda: chain(small), samples=9, calls=3)
    rows.append({"case": "1000 small ops, no grad", "us_per_op": s / 1000 * 1e6})
    leaf = torch.ones(4, requires_grad=True)
    s = seconds_per_call(lambda: chain(leaf).sum().backward(), samples=9, calls=3)
    rows.append({"case": "1000 small ops + backward", "us_per_op": s / 1000 * 1e6})
    big = torch.rand(4 * 1024 * 1024)
    big_chain = lambda: torch.exp(big * 2.0 + 1.0).sum()  # noqa: E731
    s = seconds_per_call(big_chain, samples=11, calls=3)
    rows.append({"case": "chain exp(x*2+1).sum() 4M", "ms": s * 1e3, "mean200_ms": mean_over_loop(big_chain) * 1e3})
    return rows


def conv_cases(n, c, oc, h):
    """conv2d(n, c -> oc, h x h, k3 s1 p1): forward, and forward + backward (input, weight, bias),
    in --dtype (float32, or float64 for bench/conv_float64.mjs)."""
    torch.manual_seed(0)
    dt = getattr(torch, DTYPE)
    x = torch.randn(n, c, h, h, dtype=dt, requires_grad=True)
    w = torch.randn(oc, c, 3, 3, dtype=dt, requires_grad=True)
    b = torch.randn(oc, dtype=dt, requires_grad=True)
    flops = 2 * n * oc * h * h * c * 9

    def fwd():
        with torch.no_grad():
            F.conv2d(x, w, b, padding=1)

    g = torch.ones(n, oc, h, h, dtype=dt)

    def both():
        x.grad = w.grad = b.grad = None
        F.conv2d(x, w, b, padding=1).backward(g)

    sf = seconds_per_call(fwd)
    mf = mean_over_loop(fwd)
    sb = seconds_per_call(both)
    return [{"case": "forward", "ms": sf * 1e3, "GFLOPs": flops / sf / 1e9, "mean200_ms": mf * 1e3},
            {"case": "forward+backward", "ms": sb * 1e3, "GFLOPs": 3 * flops / sb / 1e9}]


def c1():
    return conv_cases(32, 3, 32, 32)


def c2():
    return conv_cases(32, 32, 64, 16)


def r1():
    torch.manual_seed(0)
    lstm = nn.LSTM(64, 128, batch_first=True)
    x = torch.randn(32, 50, 64, requires_grad=True)

    def fwd():
        with torch.no_grad():
            lstm(x)

    def both():
        lstm.zero_grad()
        x.grad = None
        lstm(x)[0].sum().backward()
    return [{"case": "forward (no grad)", "ms": seconds_per_call(fwd, samples=15) * 1e3,
             "mean200_ms": mean_over_loop(fwd) * 1e3},
            {"case": "forward+backward", "ms": seconds_per_call(both, samples=15) * 1e3}]


def a1():
    torch.manual_seed(0)
    q, k, v = [torch.randn(8, 8, 128, 64, requires_grad=True) for _ in range(3)]

    def sdpa():
        return torch.softmax(q @ k.transpose(-2, -1) / 8, -1) @ v

    def fwd():
        with torch.no_grad():
            sdpa()

    def both():
        q.grad = k.grad = v.grad = None
        sdpa().sum().backward()
    return [{"case": "forward (no grad)", "ms": seconds_per_call(fwd, samples=15) * 1e3,
             "mean200_ms": mean_over_loop(fwd) * 1e3},
            {"case": "forward+backward", "ms": seconds_per_call(both, samples=15) * 1e3}]


FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"  # Debian's dataset-fashion-mnist


def read_idx(path):
    """An IDX file (plain or .gz) of unsigned bytes as a numpy array."""
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        raw = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    shape = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def fashion_mnist(split):
    """(images [N, 1, 28, 28] float32 in [0, 1], labels int64 [N]) of 'train' or 't10k'."""
    def find(kind):
        for name in (f"{split}-{kind}-ubyte.gz", f"{split}-{kind}-ubyte"):
            p = os.path.join(FASHION_MNIST_DIR, name)
            if os.path.exists(p):
                return p
        raise SystemExit(f"F1/F2 need the full Fashion-MNIST: apt-get install dataset-fashion-mnist "
                         f"(no {split}-{kind}-ubyte[.gz] in {FASHION_MNIST_DIR})")
    x = torch.from_numpy(read_idx(find("images-idx3")).astype(np.float32) / 255).unsqueeze(1)
    y = torch.from_numpy(read_idx(find("labels-idx1")).astype(np.int64))
    return x, y


def fashion_run(model, epochs, batch=128, lr=1e-3, test_batch=1000):
    """Trains model (Adam) on the full training set, shuffled each epoch, then tests it: wall
    seconds (training + test pass; loading excluded) and test accuracy. Batches are gathered with
    index_select from one tensor (a DataLoader's per-sample collate would only slow PyTorch)."""
    xtr, ytr = fashion_mnist("train")
    xte, yte = fashion_mnist("t10k")
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    t0 = time.perf_counter()
    model.train()
    n = xtr.shape[0]
    for _ in range(epochs):
        order = torch.randperm(n)
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            x, y = xtr.index_select(0, idx), ytr.index_select(0, idx)
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, xte.shape[0], test_batch):
            correct += (model(xte[i:i + test_batch]).argmax(1) == yte[i:i + test_batch]).sum().item()
    return {"seconds": time.perf_counter() - t0, "accuracy": correct / xte.shape[0]}


SEED = 0  # --seed: F1/F2's initial weights and shuffling
DTYPE = "float32"  # --dtype: the convolutions' (C1, C2) element type


def f1():
    torch.manual_seed(SEED)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    return [{"case": "5 epochs + test", **fashion_run(model, 5)}]


def f2():
    torch.manual_seed(SEED)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
    return [{"case": "1 epoch + test", **fashion_run(model, 1)}]


def n1():
    """SimpleCNN train step (the seed documents' CNN), batch 32, 3x32x32, cross-entropy, SGD momentum."""
    torch.manual_seed(0)

    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU()]
    model = nn.Sequential(*block(3, 32), nn.MaxPool2d(2), *block(32, 64), nn.MaxPool2d(2),
                          *block(64, 128), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 10))
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(32, 3, 32, 32)
    y = torch.randint(0, 10, (32,))

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return [{"case": "batch 32", "steps_per_s": 1.0 / seconds_per_call(step, warmup=3, samples=9, calls=3)}]


WORKLOADS = {"N1": n1, "R1": r1, "A1": a1, "S1": s1, "M1": m1, "M2": m2, "T1": t1, "C1": c1, "C2": c2, "F1": f1, "F2": f2}

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("id", choices=sorted(WORKLOADS))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    a = ap.parse_args()
    SEED = a.seed
    DTYPE = a.dtype
    torch.set_num_threads(a.threads)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "rows": WORKLOADS[a.id]()}))
