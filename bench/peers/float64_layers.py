"""PyTorch's side of bench/float64_layers.mjs: median seconds of one float64 Adam step on a
1M-element parameter, layer_norm and softmax forward+backward on [256, 1024], and an LSTM forward+backward
(batch 32, seq 32, 128 -> 128), printed as JSON on the last line."""
import json
import statistics
import time

import torch

torch.manual_seed(0)


def median_seconds(fn, warmup=3, samples=11, calls=5):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - t0) / calls)
    return statistics.median(times)


p = torch.randn(1 << 20, dtype=torch.float64, requires_grad=True)
p.grad = torch.randn(1 << 20, dtype=torch.float64)
adam = torch.optim.Adam([p], lr=1e-3, foreach=False)

x = torch.randn(256, 1024, dtype=torch.float64, requires_grad=True)
w = torch.randn(1024, dtype=torch.float64, requires_grad=True)
b = torch.randn(1024, dtype=torch.float64, requires_grad=True)
g = torch.randn(256, 1024, dtype=torch.float64)


def layer_norm():
    torch.nn.functional.layer_norm(x, [1024], w, b).backward(g)


xsm = torch.randn(256, 1024, dtype=torch.float64, requires_grad=True)


def softmax():
    torch.softmax(xsm, -1).backward(g)


lstm = torch.nn.LSTM(128, 128, dtype=torch.float64)
xs = torch.randn(32, 32, 128, dtype=torch.float64, requires_grad=True)


def lstm_step():
    out, _ = lstm(xs)
    out.sum().backward()


print(
    json.dumps(
        {
            "threads": torch.get_num_threads(),
            "adam": median_seconds(adam.step),
            "layerNorm": median_seconds(layer_norm),
            "softmax": median_seconds(softmax),
            "lstm": median_seconds(lstm_step, samples=7, calls=2),
        }
    )
)
