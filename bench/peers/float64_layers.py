"""PyTorch's side of bench/float64_layers.mjs: median seconds of one float64 Adam step on a
1M-element parameter, exp of 1M doubles, layer_norm and softmax forward+backward and logsumexp on
[256, 1024], and an LSTM forward+backward (batch 32, seq 32, 128 -> 128), printed as JSON on the
last line. With --cpu-time, CPU seconds instead of wall seconds."""
import json
import sys

import torch

# The same timing as the other PyTorch peers (python puts this folder on sys.path).
from torch_bench import seconds_per_call

torch.manual_seed(0)


p = torch.randn(1 << 20, dtype=torch.float64, requires_grad=True)
p.grad = torch.randn(1 << 20, dtype=torch.float64)
adam = torch.optim.Adam([p], lr=1e-3, foreach=False)

x = torch.randn(256, 1024, dtype=torch.float64, requires_grad=True)
w = torch.randn(1024, dtype=torch.float64, requires_grad=True)
b = torch.randn(1024, dtype=torch.float64, requires_grad=True)
g = torch.randn(256, 1024, dtype=torch.float64)


def layer_norm():
    torch.nn.functional.layer_norm(x, [1024], w, b).backward(g)


xe = torch.randn(1 << 20, dtype=torch.float64)


def exp():
    torch.exp(xe)


xsm = torch.randn(256, 1024, dtype=torch.float64, requires_grad=True)


def softmax():
    torch.softmax(xsm, -1).backward(g)


xl = torch.randn(256, 1024, dtype=torch.float64)


def logsumexp():
    torch.logsumexp(xl, 1)


lstm = torch.nn.LSTM(128, 128, dtype=torch.float64)
xs = torch.randn(32, 32, 128, dtype=torch.float64, requires_grad=True)


def lstm_step():
    out, _ = lstm(xs)
    out.sum().backward()


cpu = "--cpu-time" in sys.argv[1:]
print(
    json.dumps(
        {
            "threads": torch.get_num_threads(),
            "adam": seconds_per_call(adam.step, cpu=cpu),
            "exp": seconds_per_call(exp, cpu=cpu),
            "layerNorm": seconds_per_call(layer_norm, cpu=cpu),
            "softmax": seconds_per_call(softmax, cpu=cpu),
            "logsumexp": seconds_per_call(logsumexp, cpu=cpu),
            "lstm": seconds_per_call(lstm_step, samples=7, calls=2, cpu=cpu),
        }
    )
)
