"""PyTorch side of bench/quantized.mjs (Q1): inference of M1's MLP (784-256-128-10) at one batch
size, in float32 and after torch.ao.quantization.quantize_dynamic (qint8 Linear weights per
output channel, per_channel_dynamic_qconfig), timed as bench/quantized.mjs times myelin's: warm
up, then the median of samples of CPU seconds a forward (Q1_CLOCK=wall for wall time). Debian's
PyTorch 1.13 has no fbgemm: its x86 quantized engine is onednn. Prints one JSON line.
    ../shared/tools/torch-python 1 bench/peers/quantized_m1.py 256"""
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic


def forwards_per_s(model, x, warmup, samples, calls):
    clock = time.perf_counter if os.environ.get("Q1_CLOCK") == "wall" else time.process_time
    with torch.no_grad():
        for _ in range(warmup):
            model(x)
        times = []
        for _ in range(samples):
            t0 = clock()
            for _ in range(calls):
                model(x)
            times.append((clock() - t0) / calls)
    return 1.0 / statistics.median(times)


if __name__ == "__main__":
    batch = int(sys.argv[1]) if len(sys.argv) > 1 else 256
    warmup = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)).eval()
    q = quantize_dynamic(model, {nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)
    x = torch.randn(batch, 784)
    print(json.dumps({
        "torch": torch.__version__, "threads": torch.get_num_threads(), "engine": torch.backends.quantized.engine,
        "fp32": forwards_per_s(model, x, warmup, 15, 10),
        "int8": forwards_per_s(q, x, warmup, 15, 10),
    }))
