"""PyTorch side of bench/quantized.mjs --model lstm/lstm2: inference of nn.LSTM(256, 256) (1 or 2
layers) over a sequence, in float32 and after torch.ao.quantization.quantize_dynamic of the LSTM
(qint8 weights per output channel, per_channel_dynamic_qconfig, as myelin's default), timed as
bench/quantized.mjs times myelin's: warm up, then the median of samples of CPU seconds a forward
(Q1_CLOCK=wall for wall time). Debian's PyTorch 1.13 has no fbgemm: its x86 quantized engine is
onednn. Prints one JSON line.
    ../shared/tools/torch-python 1 bench/peers/quantized_lstm.py BATCH WARMUP LAYERS SEQ SAMPLES CALLS"""
import json
import sys

import torch
import torch.nn as nn
from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

from quantized_m1 import forwards_per_s

if __name__ == "__main__":
    batch, warmup, layers, seq, samples, calls = (int(a) for a in sys.argv[1:7])
    torch.manual_seed(0)
    model = nn.LSTM(256, 256, num_layers=layers).eval()
    # quantize_dynamic swaps the children of the module it is given: the LSTM goes in a Sequential.
    q = quantize_dynamic(nn.Sequential(model), {nn.LSTM: per_channel_dynamic_qconfig}, dtype=torch.qint8)[0]
    assert type(q).__module__.startswith("torch.ao.nn.quantized.dynamic"), type(q)
    x = torch.randn(seq, batch, 256)
    print(json.dumps({
        "torch": torch.__version__, "threads": torch.get_num_threads(), "engine": torch.backends.quantized.engine,
        "fp32": forwards_per_s(model, x, warmup, samples, calls),
        "int8": forwards_per_s(q, x, warmup, samples, calls),
    }))
