#!/usr/bin/python3
"""Safetensors interop fixtures for test/io/safetensors.test.ts, made with PyTorch.

Run with Debian's python3 (python3-torch):  /usr/bin/python3 scripts/gen_fixtures_safetensors.py

Python's `safetensors` package is not packaged for Debian, so this script writes and reads the
format itself, following the reference implementation (huggingface/safetensors, tensor.rs):
8-byte little-endian header length, compact JSON with "__metadata__" first, tensors sorted by
dtype (widest first) then name, header padded with spaces to a multiple of 8, data back to back.
The reader validates like the reference: offsets must tile the data section exactly.

Outputs (test/fixtures/safetensors/):
  torch_dtypes.safetensors   every dtype myelin reads, made from torch tensors
  torch_dtypes.json          the values myelin must produce (torch's own conversion to float32/int32; F64, I8, U8 stay)
  torch_mlp.safetensors      a torch Sequential(Linear, Identity, Linear) state dict
  torch_mlp.json             an input batch and torch's output for it
  interop.safetensors        interop_tensors() written by this reference writer; myelin's writer
                             must produce the same bytes (checked here and in the tests)
And the other direction: it runs node to write interop_tensors() with myelin, reads that file
with the strict reader, and checks values and bytes.
"""
import json
import math
import os
import struct
import subprocess
import sys
import tempfile

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "safetensors")

# name -> (torch dtype, element size, reference enum rank)
DTYPES = {
    "BOOL": (torch.bool, 1, 0), "U8": (torch.uint8, 1, 1), "I8": (torch.int8, 1, 2),
    "I16": (torch.int16, 2, 5), "F16": (torch.float16, 2, 7), "BF16": (torch.bfloat16, 2, 8),
    "I32": (torch.int32, 4, 9), "F32": (torch.float32, 4, 11), "F64": (torch.float64, 8, 12),
    "I64": (torch.int64, 8, 13),
}
BY_TORCH = {v[0]: k for k, v in DTYPES.items()}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype in (torch.float16, torch.bfloat16):
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    if t.dtype == torch.bool:
        return t.to(torch.uint8).numpy().tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def serialize(tensors, metadata=None):
    items = sorted(tensors.items(), key=lambda kv: (-DTYPES[BY_TORCH[kv[1].dtype]][2], kv[0].encode("utf-8")))
    entries, chunks, offset = [], [], 0
    if metadata:
        entries.append(json.dumps("__metadata__") + ":" + json.dumps(metadata, separators=(",", ":"), ensure_ascii=False))
    for name, t in items:
        data = tensor_bytes(t)
        info = {"dtype": BY_TORCH[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        entries.append(json.dumps(name, ensure_ascii=False) + ":" + json.dumps(info, separators=(",", ":")))
        chunks.append(data)
        offset += len(data)
    header = ("{" + ",".join(entries) + "}").encode("utf-8")
    header += b" " * ((8 - len(header) % 8) % 8)
    return struct.pack("<Q", len(header)) + header + b"".join(chunks)


def deserialize(buf):
    """Strict reader: raises on anything the reference implementation rejects."""
    if len(buf) < 8:
        raise ValueError("header too small")
    (n,) = struct.unpack("<Q", buf[:8])
    if n > 100_000_000 or 8 + n > len(buf):
        raise ValueError("invalid header length")
    header = json.loads(buf[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not all(isinstance(v, str) for v in metadata.values()):
        raise ValueError("metadata values must be strings")
    data = buf[8 + n:]
    out, pos = {}, 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        begin, end = info["data_offsets"]
        if begin != pos or end < begin:
            raise ValueError(f"invalid offset for {name}")
        dtype, size, _ = DTYPES[info["dtype"]]
        if end - begin != math.prod(info["shape"]) * size:
            raise ValueError(f"invalid tensor info for {name}")
        pos = end
        raw = bytearray(data[begin:end])
        if dtype == torch.bool:
            t = torch.frombuffer(raw, dtype=torch.uint8).to(torch.bool) if raw else torch.empty(0, dtype=torch.bool)
        else:
            t = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(info["shape"]).clone()
    if pos != len(data):
        raise ValueError("metadata incomplete buffer")
    return out, metadata or {}


def interop_tensors():
    """The same tensors as interopTensors() in test/io/safetensors_interop.ts."""
    return {
        "layer.weight": ((torch.arange(6, dtype=torch.float32) - 2.5) / 8).reshape(2, 3),
        "layer.bias": torch.tensor([0.5, -1, 1e-3], dtype=torch.float32),
        "counts": torch.tensor([-3, 0, 7, 2147483647, -2147483648], dtype=torch.int32),
        "mask": torch.tensor([[True, False], [False, True]]),
        "scalar": torch.tensor(3.25, dtype=torch.float32),
        "empty": torch.zeros(0, 4, dtype=torch.float32),
    }


def encode_value(v):
    """JSON-safe number: non-finite floats and -0.0 as strings."""
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return repr(v)  # 'nan', 'inf', '-inf'
    if isinstance(v, float) and v == 0 and math.copysign(1, v) < 0:
        return "-0.0"
    return v


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)

    # Every dtype myelin reads, with edge values.
    dtypes = {
        "f32": torch.tensor([[0.1, -2.5, 3.0], [1e-30, -0.0, 65504.0]], dtype=torch.float32),
        "f32_scalar": torch.tensor(-7.5, dtype=torch.float32),
        "f32_empty": torch.zeros(0, 3, dtype=torch.float32),
        "f32_special": torch.tensor([float("inf"), float("-inf"), float("nan"), 1.401298464324817e-45]),
        "i32": torch.tensor([-2147483648, -1, 0, 2147483647], dtype=torch.int32),
        "bool": torch.tensor([[True, False], [False, True]]),
        "f64": torch.tensor([0.1, -3.25, 1e10], dtype=torch.float64),
        "i64": torch.tensor([-5, 0, 2147483647, -2147483648], dtype=torch.int64),
        "f16": torch.tensor([1.0, -2.5, 65504.0, 5.960464477539063e-08, float("inf")], dtype=torch.float16),
        "bf16": torch.tensor([1.0, -3.140625, 1e38, -0.0], dtype=torch.bfloat16),
        "u8": torch.tensor([0, 128, 255], dtype=torch.uint8),
        "i8": torch.tensor([-128, 0, 127], dtype=torch.int8),
        "i16": torch.tensor([-32768, 1, 32767], dtype=torch.int16),
        "randn": torch.randn(3, 4),
    }
    write("torch_dtypes.safetensors", serialize(dtypes, {"format": "pt"}))
    expected = {}
    for name, t in dtypes.items():
        # float64, bfloat16, int8, uint8 and bool stay as they are; float16 widens to float32, the
        # other integers to int32.
        wide = t.dtype if t.dtype in (torch.float64, torch.bfloat16) else torch.float32
        kept = t.dtype in (torch.bool, torch.int8, torch.uint8)
        as_myelin = t.to(wide) if t.is_floating_point() else (t if kept else t.to(torch.int32))
        expected[name] = {
            "dtype": BY_TORCH[t.dtype],
            "shape": list(t.shape),
            "myelin_dtype": str(wide if t.is_floating_point() else (t.dtype if kept else torch.int32)).replace("torch.", ""),
            "values": [encode_value(v) for v in as_myelin.flatten().tolist()],
        }
    with open(os.path.join(OUT, "torch_dtypes.json"), "w") as f:
        json.dump({"metadata": {"format": "pt"}, "tensors": expected}, f, indent=1)
        f.write("\n")

    # A torch model's state dict, and its output on a batch (myelin must compute the same).
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Identity(), torch.nn.Linear(8, 3))
    write("torch_mlp.safetensors", serialize({k: v.detach() for k, v in model.state_dict().items()}))
    x = torch.randn(5, 4)
    with torch.no_grad():
        y = model(x)
    with open(os.path.join(OUT, "torch_mlp.json"), "w") as f:
        json.dump({"x": x.tolist(), "y": y.tolist()}, f)
        f.write("\n")

    # Reference bytes for the interop tensors, then the other direction: myelin writes them.
    reference = serialize(interop_tensors(), {"written_by": "myelin"})
    write("interop.safetensors", reference)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "myelin.safetensors")
        subprocess.run(["node", "--import", "./test/helpers/ts_loader.mjs", "scripts/write_myelin_safetensors.ts", path], cwd=ROOT, check=True)
        with open(path, "rb") as f:
            written = f.read()
    tensors, metadata = deserialize(written)
    want = interop_tensors()
    assert metadata == {"written_by": "myelin"}, metadata
    assert sorted(tensors) == sorted(want), sorted(tensors)
    for k, t in want.items():
        assert tensors[k].dtype == t.dtype and tensors[k].shape == t.shape and torch.equal(tensors[k], t), k
    assert written == reference, "myelin's bytes differ from the reference writer's"
    # And the torch-made files read back with the strict reader.
    for name in ("torch_dtypes.safetensors", "torch_mlp.safetensors"):
        with open(os.path.join(OUT, name), "rb") as f:
            deserialize(f.read())
    print("safetensors fixtures written; myelin-written file verified in Python (values and bytes)")


if __name__ == "__main__":
    sys.exit(main())
