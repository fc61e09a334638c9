#!/usr/bin/python3
"""Checks that PyTorch's torch.load reads what myelin's saveTorch writes.

  /usr/bin/python3 scripts/check_save_torch.py [OUT]

Runs node to write test/io/torch_interop.ts's object with saveTorch (scripts/write_myelin_torch.ts)
to OUT (a temporary file if none is given), loads it with torch.load and compares every value,
shape, stride, storage offset, dtype, Parameter flag and which tensors share a storage with the
same object built here; then has node load test/fixtures/torch/quantized.pt (quantized tensors
torch.save wrote) and save it again, and compares what torch.load reads with the original
(integers, qscheme, scales, zero points, axis, strides, shared storages). The tensor-only part must also load with weights_only=True (this
PyTorch's restricted unpickler predates floats in pickles, so the part with floats loads
without it). scripts/gen_fixtures_torch.py commits its output as test/fixtures/torch/myelin_saved.pt,
which the tests require saveTorch to reproduce byte for byte.
"""
import math
import os
import subprocess
import sys
import tempfile
import zipfile

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def expected():
    base = torch.tensor([(i - 5.5) / 4 for i in range(12)], dtype=torch.float32).reshape(3, 4)
    ints = torch.tensor([-3, 0, 7, 2**31 - 1, -(2**31), 12], dtype=torch.int32)
    state = {
        "layer.weight": (base, (3, 4), (4, 1), 0, "param", True),
        "layer.weight_t": (base.t(), (4, 3), (1, 4), 0, "tensor", False),
        "layer.row1": (base[1], (4,), (1,), 4, "tensor", False),
        "layer.stepped": (torch.as_strided(base, (2, 2), (8, 2), 1), (2, 2), (8, 2), 1, "tensor", False),
        "layer.frozen": (torch.tensor([0.5, -1.0]), (2,), (1,), 0, "param", False),
        "counts": (ints, (6,), (1,), 0, "tensor", False),
        "counts_tail": (ints[3:], (3,), (1,), 3, "tensor", False),
        "mask": (torch.tensor([[True, False], [False, True]]), (2, 2), (2, 1), 0, "tensor", False),
        "scalar": (torch.tensor(3.25), (), (), 0, "tensor", False),
        "empty": (torch.zeros(0, 4), (0, 4), (4, 1), 0, "tensor", False),
    }
    meta = {
        "epoch": 3,
        "lr": 0.001,
        "name": "myelin ✓",
        "flags": [True, False, None],
        "big": 2**40,
        "huge": 2**70,
        "negative": -(2**33),
        "inf": math.inf,
        "nested": [[1, [2, [3]]], {"deep": {"deeper": "yes"}}],
    }
    return state, meta


def check(path):
    want_state, want_meta = expected()
    got = torch.load(path)
    assert set(got) == {"state", "meta"}, got.keys()
    state = got["state"]
    assert list(state) == list(want_state), list(state)
    for k, (t, shape, stride, offset, kind, requires_grad) in want_state.items():
        g = state[k]
        assert isinstance(g, torch.nn.Parameter) == (kind == "param"), (k, type(g))
        assert g.requires_grad == requires_grad, (k, g.requires_grad)
        assert g.dtype == t.dtype, (k, g.dtype, t.dtype)
        assert tuple(g.shape) == shape and g.stride() == stride and g.storage_offset() == offset, (
            k, g.shape, g.stride(), g.storage_offset())
        assert torch.equal(g.detach(), t), (k, g, t)
    ptr = lambda k: state[k].storage().data_ptr()
    assert ptr("layer.weight") == ptr("layer.weight_t") == ptr("layer.row1") == ptr("layer.stepped")
    assert ptr("counts") == ptr("counts_tail") and ptr("counts") != ptr("layer.weight")
    assert got["meta"] == want_meta, got["meta"]
    # The tensors alone pass PyTorch's weights-only unpickler (no floats in that pickle).
    with tempfile.TemporaryDirectory() as d:
        only = os.path.join(d, "state.pt")
        node_write(only, state_only=True)
        loaded = torch.load(only, weights_only=True)
        assert list(loaded) == list(want_state)
    names = zipfile.ZipFile(path).namelist()
    assert names[0] == "archive/data.pkl" and names[-1] == "archive/version", names


def node_write(path, state_only=False, resave=None):
    script = "scripts/write_myelin_torch.ts"
    args = ["node", "--import", "./test/helpers/ts_loader.mjs", script, path] + (["--state"] if state_only else [])
    if resave:
        args += ["--resave", resave]
    subprocess.run(args, cwd=ROOT, check=True)


def check_quantized(path):
    original = os.path.join(ROOT, "test", "fixtures", "torch", "quantized.pt")
    node_write(path, resave=original)
    want, got = torch.load(original), torch.load(path)
    assert list(got) == list(want), list(got)
    for k, w in want.items():
        g = got[k]
        assert g.dtype == w.dtype and tuple(g.shape) == tuple(w.shape), (k, g.dtype, g.shape)
        assert g.stride() == w.stride() and g.storage_offset() == w.storage_offset(), (k, g.stride())
        if not w.is_quantized:
            assert torch.equal(g, w), k
            continue
        assert g.qscheme() == w.qscheme() and torch.equal(g.int_repr(), w.int_repr()), k
        if w.qscheme() == torch.per_tensor_affine:
            assert g.q_scale() == w.q_scale() and g.q_zero_point() == w.q_zero_point(), k
        else:
            assert torch.equal(g.q_per_channel_scales(), w.q_per_channel_scales()), k
            assert torch.equal(g.q_per_channel_zero_points(), w.q_per_channel_zero_points()), k
            assert g.q_per_channel_axis() == w.q_per_channel_axis(), k
    ptr = lambda k: got[k].storage().data_ptr()
    assert ptr("per_tensor_quint8") == ptr("per_tensor_quint8_t") != ptr("per_tensor_qint8")


def main():
    if len(sys.argv) > 1:
        out = sys.argv[1]
        node_write(out)
        check(out)
    else:
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "myelin.pt")
            node_write(out)
            check(out)
    with tempfile.TemporaryDirectory() as d:
        check_quantized(os.path.join(d, "quantized.pt"))
    print("torch.load reads saveTorch's file: every value, stride, offset and shared storage matches")
    print("torch.load reads saveTorch's quantized tensors: integers, scales, zero points, axis and views match")


if __name__ == "__main__":
    main()
