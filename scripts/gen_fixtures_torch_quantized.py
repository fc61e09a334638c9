#!/usr/bin/python3
"""Quantized tensors in torch.save files, for test/io/torch_quantized.test.ts.

Run with Debian's python3 (python3-torch):  /usr/bin/python3 scripts/gen_fixtures_torch_quantized.py

Outputs (test/fixtures/torch/):
  quantized.pt          a dict of quantized tensors as torch.save writes them (_rebuild_qtensor):
                        per tensor qint8 and quint8, per channel qint8 along dim 0 and quint8
                        along dim 1, a transposed view sharing a storage, a dynamically quantized
                        Linear's weight beside its float bias
  quantized_qint32.pt   a qint32 tensor (myelin has no qint32: must be refused)
  quantized_float_qparams.pt  a per_channel_affine_float_qparams quint8 tensor (float zero points:
                        must be refused)
  quantized_int64.pt    a per-channel qint8 tensor beside an int64 one (loadTorch with convert:
                        false must refuse the int64 tensor, not the quantizer's int64 zero points)
  quantized.json        what myelin must read from quantized.pt: dtype, shape, strides, offset,
                        the integers, scales, zero points and axis of each tensor
"""
import json
import os

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "torch")
torch.manual_seed(0)
torch.backends.quantized.engine = "onednn"


def describe(t):
    if not t.is_quantized:
        return {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "values": t.reshape(-1).tolist()}
    d = {
        "dtype": str(t.dtype).replace("torch.", ""),
        "shape": list(t.shape),
        "strides": list(t.stride()),
        "offset": t.storage_offset(),
        "intRepr": t.int_repr().reshape(-1).tolist(),
        "qscheme": str(t.qscheme()).replace("torch.", ""),
    }
    if t.qscheme() == torch.per_tensor_affine:
        d.update(scales=[t.q_scale()], zeroPoints=[t.q_zero_point()], axis=-1)
    else:
        d.update(
            scales=t.q_per_channel_scales().tolist(),
            zeroPoints=t.q_per_channel_zero_points().tolist(),
            axis=t.q_per_channel_axis(),
        )
    return d


x = torch.randn(4, 6) * 3
per_tensor_u8 = torch.quantize_per_tensor(torch.randn(3, 5), 0.05, 128, torch.quint8)
lin = torch.nn.Sequential(torch.nn.Linear(6, 4))
from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic  # noqa: E402

qlin = quantize_dynamic(lin, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)[0]
weight, bias = qlin._weight_bias()
obj = {
    "per_tensor_qint8": torch.quantize_per_tensor(x, 0.1, -3, torch.qint8),
    "per_tensor_quint8": per_tensor_u8,
    "per_tensor_quint8_t": per_tensor_u8.t(),
    "per_channel_qint8": torch.quantize_per_channel(
        x, torch.tensor([0.1, 0.2, 0.05, 0.3], dtype=torch.float64), torch.tensor([0, 1, -2, 5]), 0, torch.qint8
    ),
    "per_channel_quint8_axis1": torch.quantize_per_channel(
        torch.randn(2, 3, 2), torch.tensor([0.02, 0.5, 0.125], dtype=torch.float64), torch.tensor([0, 128, 255]), 1,
        torch.quint8,
    ),
    "linear.weight": weight,
    "linear.bias": bias.detach(),
}
torch.save(obj, os.path.join(OUT, "quantized.pt"))
torch.save({"q": torch.quantize_per_tensor(torch.randn(3), 0.1, 0, torch.qint32)}, os.path.join(OUT, "quantized_qint32.pt"))
torch.save(
    {"q": torch.quantize_per_channel(torch.randn(2, 3), torch.tensor([0.1, 0.2]), torch.tensor([0.5, 1.5]), 0, torch.quint8)},
    os.path.join(OUT, "quantized_float_qparams.pt"),
)
torch.save(
    {"q": obj["per_channel_qint8"], "i": torch.tensor([1, -2, 3])},
    os.path.join(OUT, "quantized_int64.pt"),
)
with open(os.path.join(OUT, "quantized.json"), "w") as f:
    json.dump({"torch": torch.__version__, "tensors": {k: describe(v) for k, v in obj.items()}}, f, separators=(",", ":"))
print("wrote quantized.pt, quantized_qint32.pt, quantized_float_qparams.pt, quantized_int64.pt, quantized.json")
