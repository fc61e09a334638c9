"""PyTorch side of bench/autocast.mjs --workload N1 (B2): N1's SimpleCNN training step
(conv-BN-ReLU-pool x3, linear, cross-entropy, SGD momentum 0.9 lr 0.01) at one batch size, in
float32 and under torch.autocast('cpu', dtype=torch.bfloat16), timed as bench/autocast.mjs times
myelin's: warm up (at most 10 steps: a step is ~100x M1's), then the median of 7 samples of 3
steps in CPU seconds (the machine is shared; B2_CLOCK=wall for wall time). Prints one JSON line.
    ../shared/tools/torch-python 1 bench/peers/autocast_n1.py 32"""
import json
import sys

import torch
import torch.nn as nn

# The timed step is M1's script's (this script's folder is on sys.path when it runs).
from autocast_m1 import steps_per_s


def simple_cnn():
    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU()]

    return nn.Sequential(*block(3, 32), nn.MaxPool2d(2), *block(32, 64), nn.MaxPool2d(2), *block(64, 128),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 10))


def n1_steps_per_s(batch, autocast, warmup):
    torch.manual_seed(0)
    model = simple_cnn()
    model.train()
    x = torch.randn(batch, 3, 32, 32)
    y = torch.randint(0, 10, (batch,))
    return steps_per_s(model, x, y, autocast, warmup, samples=7, calls=3)


if __name__ == "__main__":
    batch = int(sys.argv[1]) if len(sys.argv) > 1 else 32
    warmup = min(int(sys.argv[2]) if len(sys.argv) > 2 else 10, 10)
    print(json.dumps({
        "torch": torch.__version__, "threads": torch.get_num_threads(),
        "fp32": n1_steps_per_s(batch, False, warmup),
        "autocast": n1_steps_per_s(batch, True, warmup),
    }))
