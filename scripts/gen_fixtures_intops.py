"""remainder, fmod, floor_divide, div with a rounding mode and the bitwise ops as torch 1.13 computes
them on the CPU: signs, zeros, infinities, broadcasting, every dtype myelin has (float32, float64,
bfloat16, int32, int8, uint8, bool), promotion with tensors and Python scalars, and the integer
shifts (a shift count is taken modulo 32 on x86, as C's shift of an int). myelin has no int16 or
int64: the test reads torch's int16 (uint8 with int8) and int64 (bool with a Python int) results
as int32. Also the gradients of remainder and fmod. Run: /usr/bin/python3
scripts/gen_fixtures_intops.py (writes test/fixtures/intops.json)."""
import json
import os

import torch
from fixture_encoding import NAMES
from fixture_encoding import enc as encode

torch.manual_seed(0)


def enc(t):
    return encode(t, negative_zero=True)  # the signs of zero quotients and remainders are tested


cases = []


def case(op, args, fn, note="", grad=False):
    out = fn(*args)
    c = {"op": op, "note": note, "args": [enc(a) for a in args], "out": enc(out)}
    if grad:
        xs = [a.detach().clone().requires_grad_() for a in args]
        g = torch.randn(out.shape, dtype=out.dtype)
        gs = torch.autograd.grad(fn(*xs), xs, g)
        c["gradOut"] = enc(g)
        c["grads"] = [enc(x) for x in gs]
    cases.append(c)


def rand(dtype, *shape):
    lo, hi = (-128, 128) if dtype == torch.int8 else (0, 256) if dtype == torch.uint8 else (-1000, 1000)
    return torch.randint(lo, hi, shape, dtype=dtype)


def nonzero(dtype, *shape):
    t = rand(dtype, *shape)
    return torch.where(t == 0, torch.ones_like(t), t)


F32, F64, BF16, I32, I8, U8 = torch.float32, torch.float64, torch.bfloat16, torch.int32, torch.int8, torch.uint8

division = {
    "remainder": torch.remainder,
    "fmod": torch.fmod,
    "floorDivide": torch.floor_divide,
    "divFloor": lambda a, b: torch.div(a, b, rounding_mode="floor"),
    "divTrunc": lambda a, b: torch.div(a, b, rounding_mode="trunc"),
}
signs_a = [-7.0, -7.0, 7.0, 7.0, -3.5, 3.5, -0.0, 0.0, 0.0, 5.25, -5.25, 1e-3, 2.0, -6.0, 6.0]
signs_b = [2.0, -2.0, 2.0, -2.0, 2.0, -2.0, 2.0, -2.0, 3.0, 0.75, 0.75, 1e3, 0.1, 2.0, -2.0]
specials_a = [1.0, -1.0, 0.0, float("inf"), float("-inf"), float("nan"), 5.0, 5.0, -5.0, float("inf")]
specials_b = [0.0, 0.0, 0.0, 2.0, 2.0, 2.0, float("inf"), float("-inf"), float("inf"), float("inf")]
for name, fn in division.items():
    for d in (F32, F64, BF16):
        case(name, [torch.tensor(signs_a, dtype=d), torch.tensor(signs_b, dtype=d)], fn, f"{NAMES[d]} signs and zeros")
        case(name, [torch.tensor(specials_a, dtype=d), torch.tensor(specials_b, dtype=d)], fn, f"{NAMES[d]} zero divisors, infinities, NaN")
        case(name, [torch.randn(3, 4, dtype=d) * 10, torch.randn(4, dtype=d)], fn, f"{NAMES[d]} broadcast")
        for s in (3, -2.5, 0.1):
            case(name, [torch.randn(6, dtype=d) * 10, s], fn, f"{NAMES[d]} with a python scalar")
    for d in (I32, I8, U8):
        case(name, [rand(d, 3, 4), nonzero(d, 3, 4)], fn, f"{NAMES[d]} with itself")
        case(name, [rand(d, 3, 1), nonzero(d, 4)], fn, f"{NAMES[d]} broadcast")
        for s in (3, -3, 300, 2.5):
            case(name, [rand(d, 6), s], fn, f"{NAMES[d]} with a python scalar")
    i8 = torch.tensor([-128, -128, -7, -7, 7, 7, 0, 127], dtype=I8)
    case(name, [i8, torch.tensor([-1, 3, 2, -2, 2, -2, -5, -128], dtype=I8)], fn, "int8 edges")
    case(name, [torch.tensor([-7, -7, 7, 7, 0, 2147483647], dtype=I32), torch.tensor([2, -2, 2, -2, -3, -2], dtype=I32)], fn, "int32 signs")
    case(name, [rand(U8, 5), nonzero(I8, 5)], fn, "uint8 with int8 (torch: int16)")
    case(name, [rand(I8, 5), torch.randn(5)], fn, "int8 with float32")
    case(name, [torch.randn(5), torch.randn(5, dtype=F64)], fn, "float32 with float64")
    case(name, [rand(I32, 5), torch.tensor([True, True, True, True, True])], fn, "int32 with bool")
    case(name, [torch.tensor([True, False, True]), 2], fn, "bool with a python int (torch: int64)")
    case(name, [torch.randn(4, dtype=BF16), torch.randn(4)], fn, "bfloat16 with float32")
    if name == "remainder":
        case(name, [5, torch.tensor([3.0, -3.0, 2.5, -0.5])], fn, "python scalar first")
        case(name, [-7, torch.tensor([3, -3, 2, 4], dtype=I8)], fn, "python int first, int8")

a = torch.tensor([-7.3, 2.1, 5.5, -0.4, 3.3, -9.1]).reshape(2, 3)
b = torch.tensor([2.0, -1.5, 3.0]).reshape(3)
for name in ("remainder", "fmod"):
    for d in (F32, F64):
        case(name, [a.to(d), b.to(d)], division[name], f"{NAMES[d]} gradients", grad=True)

bitwise = {
    "bitwiseAnd": torch.bitwise_and,
    "bitwiseOr": torch.bitwise_or,
    "bitwiseXor": torch.bitwise_xor,
    "bitwiseLeftShift": torch.bitwise_left_shift,
    "bitwiseRightShift": torch.bitwise_right_shift,
}
for name, fn in bitwise.items():
    shift = "Shift" in name
    for d in (I32, I8, U8):
        counts = (lambda *s: torch.randint(0, 40, s, dtype=d)) if shift else (lambda *s: rand(d, *s))
        case(name, [rand(d, 3, 4), counts(3, 4)], fn, f"{NAMES[d]} with itself")
        case(name, [rand(d, 3, 1), counts(4)], fn, f"{NAMES[d]} broadcast")
        for s in (3, 31, 33) if shift else (3, -1, 300, 0):
            case(name, [rand(d, 6), s], fn, f"{NAMES[d]} with a python int")
    case(name, [torch.tensor([-8, -1, 1, 1, 1, 8], dtype=I32), torch.tensor([1, 31, 31, 32, 40, 40], dtype=I32)], fn, "int32 counts from 1 to 40")
    case(name, [torch.tensor([-128, 64, 3, 1, -1], dtype=I8), torch.tensor([7, 8, -1, 31, 33], dtype=I8)], fn, "int8 edges")
    case(name, [torch.tensor([1, 1, 3, 255], dtype=U8), torch.tensor([7, 8, 255, 1], dtype=U8)], fn, "uint8 edges")
    case(name, [rand(I8, 5), torch.randint(0, 8, (5,), dtype=I32)], fn, "int8 with int32")
    if not shift:
        case(name, [torch.tensor([True, False, True, False]), torch.tensor([True, True, False, False])], fn, "bool")
        case(name, [torch.tensor([True, False]), 3], fn, "bool with a python int (torch: int64)")
        case(name, [torch.tensor([True, False]), True], fn, "bool with a python bool")
        case(name, [rand(U8, 4), torch.tensor([True, False, True, False])], fn, "uint8 with bool")
case("bitwiseNot", [torch.tensor([True, False])], torch.bitwise_not, "bool")
for d in (I32, I8, U8):
    case("bitwiseNot", [rand(d, 3, 4)], torch.bitwise_not, NAMES[d])

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "intops.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
print(f"{len(cases)} cases -> {path}")
