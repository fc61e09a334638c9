"""Golden values for the reduced-precision ops from PyTorch (Debian's python3-torch): fp32 ->
bfloat16 conversion bits (x.to(torch.bfloat16) of a contiguous tensor), matmul of bf16-rounded
operands with its gradients, and quantize_per_tensor / quantize_per_channel with their int_repr
and dequantize. Floats travel as their 32-bit patterns so NaN payloads, signed zeros and
subnormals survive JSON.
Run: /usr/bin/python3 scripts/gen_fixtures_lowp.py"""
import json
import os
import struct

import torch

torch.manual_seed(0)


def bits32(t):
    return t.detach().contiguous().view(torch.int32).reshape(-1).tolist()


def bits16(t):
    return [b & 0xFFFF for b in t.detach().contiguous().view(torch.int16).reshape(-1).tolist()]


def f32(b):
    return struct.unpack("<f", struct.pack("<I", b & 0xFFFFFFFF))[0]


# Conversion: every kind of float32 the rounding treats differently, and random values.
patterns = [
    0x00000000, 0x80000000, 0x3F800000, 0xBF800000,  # zeros, +-1
    0x3F808000, 0x3F818000, 0x3F808001, 0x3F807FFF,  # ties to even (down, up), just above/below a tie
    0x3F80FFFF, 0x7F7FFFFF, 0xFF7FFFFF, 0x7F7F7FFF, 0x7F7F8000,  # carry, max finite -> inf, largest kept
    0x7F800000, 0xFF800000,  # infinities
    0x7FC00000, 0xFFC00000, 0x7F800001, 0x7FBFFFFF, 0xFFFFFFFF, 0x7FFF0000, 0x7F810000,  # NaNs
    0x00000001, 0x00008000, 0x00018000, 0x007FFFFF, 0x807FFFFF, 0x00800000,  # subnormals, min normal
]
x = torch.tensor([f32(p) for p in patterns], dtype=torch.float32)
x = torch.cat([x, torch.randn(200) * 10, torch.randn(50) * 1e-30, torch.randn(50) * 1e30])
conv = {"x": bits32(x), "bf16": bits16(x.to(torch.bfloat16))}


def matmul_case(sa, sb):
    # The products of the bf16-rounded operands summed exactly (float64), forward and backward
    # (the gradient rounded to bf16 too): what bf16 multiplication with fp32 sums approximates.
    # Not torch.matmul of bf16 tensors: Debian's 1.13 build sums those in a way that loses more
    # than fp32 sums do (0.02 off at 1.5 on a 33-long row), so it is no reference for them.
    a = torch.randn(sa)
    b = torch.randn(sb)
    ad = a.bfloat16().double().requires_grad_()
    bd = b.bfloat16().double().requires_grad_()
    y = torch.matmul(ad, bd)
    g = torch.randn(y.shape)
    y.backward(g.bfloat16().double())
    return {
        "a": bits32(a), "aShape": list(sa), "b": bits32(b), "bShape": list(sb), "g": bits32(g),
        "y": y.detach().reshape(-1).tolist(), "yShape": list(y.shape),
        "da": ad.grad.reshape(-1).tolist(), "db": bd.grad.reshape(-1).tolist(),
    }


def quant_case(shape, qtype, scales, zero_points, axis=None, scale_x=4.0):
    # Values across the range (ties of x / scale included), past it both ways, and the specials.
    x = torch.randn(shape) * scale_x
    flat = x.view(-1)
    specials = [float("nan"), float("inf"), -float("inf"), 1e30, -1e30, 0.0, -0.0]
    for i, v in enumerate(specials):
        flat[i * 3 % flat.numel()] = v
    s0 = scales[0]
    for i in range(len(specials), min(flat.numel(), len(specials) + 6)):
        flat[i] = (i - len(specials) - 3 + 0.5) * s0  # exact halves of the scale: ties to even
    dtype = {"qint8": torch.qint8, "quint8": torch.quint8}[qtype]
    if axis is None:
        q = torch.quantize_per_tensor(x, scales[0], zero_points[0], dtype)
    else:
        q = torch.quantize_per_channel(x, torch.tensor(scales, dtype=torch.float64),
                                       torch.tensor(zero_points, dtype=torch.int64), axis, dtype)
    return {
        "x": bits32(x), "shape": list(shape), "dtype": qtype, "scales": scales, "zeroPoints": zero_points,
        "axis": axis, "intRepr": q.int_repr().reshape(-1).tolist(), "dequantized": bits32(q.dequantize()),
    }


quant = [
    quant_case((7, 9), "quint8", [0.05], [128]),
    quant_case((7, 9), "qint8", [0.0371], [-3]),
    quant_case((100,), "quint8", [1e-3], [0]),
    quant_case((64,), "qint8", [0.1], [0], scale_x=30.0),
    quant_case((4, 6, 5), "qint8", [0.02, 0.05, 0.3, 1e-4, 0.0123, 2.5], [0, 0, 0, 0, 0, 0], axis=1),
    quant_case((5, 3, 8), "quint8", [0.01, 0.07, 0.9, 0.033, 0.5], [0, 17, 128, 255, 3], axis=0),
    quant_case((3, 10), "qint8", [0.011] * 10, list(range(-5, 5)), axis=1),
]

def dynamic_case(in_f, out_f, batch, per_channel, bias=True, x_scale=1.0, x_shift=0.0, w_scale=1.0):
    # torch.ao.quantization.quantize_dynamic of one Linear: the qint8 weight (int_repr, scales),
    # the activation's (scale, zero point) from torch._choose_qparams_per_tensor with reduce_range
    # (what the op computes), and the output. Debian's build has no fbgemm: its x86 engine is
    # onednn, which takes the same parameters and sums the same integers.
    from torch.ao.quantization import default_dynamic_qconfig, per_channel_dynamic_qconfig, quantize_dynamic
    torch.backends.quantized.engine = "onednn"
    lin = torch.nn.Linear(in_f, out_f, bias=bias)
    with torch.no_grad():
        lin.weight.mul_(w_scale)
    model = torch.nn.Sequential(lin)
    qconfig = per_channel_dynamic_qconfig if per_channel else default_dynamic_qconfig
    q = quantize_dynamic(model, {torch.nn.Linear: qconfig}, dtype=torch.qint8)
    x = torch.randn(batch) * x_scale + x_shift
    y = q(x)
    w = q[0].weight()
    act_scale, act_zp = torch._choose_qparams_per_tensor(x, True)
    if per_channel:
        scales, zps = w.q_per_channel_scales().tolist(), w.q_per_channel_zero_points().tolist()
    else:
        scales, zps = [w.q_scale()], [w.q_zero_point()]
    return {
        "inFeatures": in_f, "outFeatures": out_f, "perChannel": per_channel,
        "weight": bits32(lin.weight), "bias": bits32(lin.bias) if bias else None,
        "x": bits32(x), "xShape": list(batch), "y": bits32(y), "yShape": list(y.shape),
        "wIntRepr": w.int_repr().reshape(-1).tolist(), "wScales": scales, "wZeroPoints": zps,
        "actScale": act_scale, "actZeroPoint": act_zp,
    }


def lstm_case(I, H, T, B, layers=1, bidirectional=False, batch_first=False, bias=True, per_channel=True,
              lengths=None, with_state=False, x_scale=1.0):
    # quantize_dynamic of one nn.LSTM: its float parameters by name, the input (and initial
    # states), and the quantized LSTM's output and final states. With lengths, the input runs as
    # a PackedSequence (pack_padded_sequence, enforce_sorted=False) and the output is padded back
    # with zeros.
    from torch.ao.quantization import default_dynamic_qconfig, per_channel_dynamic_qconfig, quantize_dynamic
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    torch.backends.quantized.engine = "onednn"
    lstm = torch.nn.LSTM(I, H, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first, bias=bias)
    qconfig = per_channel_dynamic_qconfig if per_channel else default_dynamic_qconfig
    q = quantize_dynamic(torch.nn.Sequential(lstm), {torch.nn.LSTM: qconfig}, dtype=torch.qint8)[0]
    x = torch.randn((B, T, I) if batch_first else (T, B, I)) * x_scale
    D = 2 if bidirectional else 1
    hx = (torch.randn(layers * D, B, H) * 0.5, torch.randn(layers * D, B, H) * 0.5) if with_state else None
    with torch.no_grad():
        if lengths is None:
            y, (hn, cn) = q(x, hx)
        else:
            packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
            yp, (hn, cn) = q(packed, hx)
            y, _ = pad_packed_sequence(yp, batch_first=batch_first, total_length=T)
    return {
        "inputSize": I, "hiddenSize": H, "numLayers": layers, "bidirectional": bidirectional,
        "batchFirst": batch_first, "bias": bias, "perChannel": per_channel, "lengths": lengths,
        "params": {name: bits32(p) for name, p in lstm.named_parameters()},
        "x": bits32(x), "xShape": list(x.shape),
        "hx": [bits32(hx[0]), bits32(hx[1])] if with_state else None,
        "y": bits32(y), "yShape": list(y.shape), "hn": bits32(hn), "cn": bits32(cn),
    }


out = {
    "torch": torch.__version__,
    "quantize": quant,
    "convert": conv,
    "matmul": [matmul_case((7, 33), (33, 70)), matmul_case((2, 5, 40), (40, 9)), matmul_case((3, 1, 4, 16), (2, 16, 6))],
}
out["dynamicLinear"] = [
    dynamic_case(20, 7, (5, 20), True),
    dynamic_case(20, 7, (5, 20), False),
    dynamic_case(33, 16, (2, 3, 33), True, bias=False, x_shift=2.0),
    dynamic_case(64, 10, (9, 64), True, x_scale=1e-6),
    dynamic_case(17, 5, (4, 17), False, x_scale=50.0, w_scale=3.0),
    dynamic_case(8, 3, (6, 8), True, x_shift=-5.0),
]
out["dynamicLSTM"] = [
    lstm_case(5, 7, 6, 3),
    lstm_case(5, 7, 6, 3, per_channel=False),
    lstm_case(4, 6, 5, 2, layers=2, bidirectional=True, with_state=True),
    lstm_case(3, 8, 7, 4, batch_first=True, x_scale=3.0),
    lstm_case(6, 5, 6, 4, layers=2, bidirectional=True, lengths=[6, 2, 4, 1]),
    lstm_case(6, 5, 5, 3, batch_first=True, lengths=[3, 5, 1], with_state=True),
]
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "lowp.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote", path)
