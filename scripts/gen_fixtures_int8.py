"""int8 and uint8 arithmetic as torch 1.13 computes it on the CPU: wrapping modulo 2^8, the result
dtypes of torch.result_type (a Python int keeps the tensor's dtype, unchecked: int8 + 300 wraps),
true division to float32, reductions, comparisons with scalars torch converts to the tensor's
dtype, casts from float and int32, and the wrapping int8 products. myelin has no int16 or int64:
the test reads torch's int16 (uint8 with int8) and int64 (sum, prod, cumsum, argmax) results as
int32. Run: /usr/bin/python3 scripts/gen_fixtures_int8.py (writes test/fixtures/int8_ops.json)."""
import json
import os

import torch
from fixture_encoding import NAMES, enc

torch.manual_seed(0)

cases = []


def case(op, args, fn, note=""):
    out = fn(*args)
    cases.append({"op": op, "note": note, "args": [enc(a) for a in args], "out": enc(out)})


def rand(dtype, *shape):
    lo, hi = (-128, 128) if dtype == torch.int8 else (0, 256)
    return torch.randint(lo, hi, shape, dtype=dtype)


I8, U8 = torch.int8, torch.uint8
edge8 = torch.tensor([-128, -127, -1, 0, 1, 100, 127], dtype=I8)
edgeu = torch.tensor([0, 1, 100, 128, 200, 254, 255], dtype=U8)

binary = {
    "add": torch.add,
    "sub": torch.sub,
    "mul": torch.mul,
    "div": torch.div,
    "maximum": torch.maximum,
    "minimum": torch.minimum,
}
for name, fn in binary.items():
    for d in (I8, U8):
        case(name, [rand(d, 3, 4), rand(d, 3, 4)], fn, f"{NAMES[d]} with itself, wrapping")
        case(name, [rand(d, 3, 1), rand(d, 4)], fn, f"{NAMES[d]} broadcast")
    case(name, [rand(I8, 5), torch.randint(-1000, 1000, (5,), dtype=torch.int32)], fn, "int8 with int32")
    if name != "sub":  # torch refuses a bool operand of sub
        case(name, [rand(U8, 5), torch.tensor([True, False, True, True, False])], fn, "uint8 with bool")
    case(name, [rand(I8, 5), torch.randn(5)], fn, "int8 with float32")
    case(name, [rand(U8, 5), rand(I8, 5)], fn, "uint8 with int8 (torch: int16)")
    case(name, [edge8, edge8.flip(0)], fn, "int8 edges")
    case(name, [edgeu, edgeu.flip(0)], fn, "uint8 edges")

for d, t in ((I8, edge8), (U8, edgeu)):
    for s in (1, -1, 300, -300, 2, 0.5):
        case("add", [t, s], torch.add, f"{NAMES[d]} + python scalar")
        case("sub", [t, s], torch.sub, f"{NAMES[d]} - python scalar")
        case("mul", [t, s], torch.mul, f"{NAMES[d]} * python scalar")
        case("div", [t, s], torch.div, f"{NAMES[d]} / python scalar")
    case("sub", [300, t], torch.sub, "python scalar - tensor")
    case("pow", [t, 2], torch.pow, "square wraps")
    case("pow", [t, 0], torch.pow, "x ** 0")
    for name, fn in (("neg", torch.neg), ("abs", torch.abs), ("sign", torch.sign), ("relu", torch.relu)):
        case(name, [t], fn, f"{NAMES[d]} edges")
    for name, fn in (("eq", torch.eq), ("lt", torch.lt), ("ge", torch.ge)):
        for s in (0, 100, 300, -1, 0.5):
            case(name, [t, s], fn, f"{NAMES[d]} against a python scalar (converted to the dtype)")
        case(name, [t, t.flip(0)], fn, f"{NAMES[d]} tensors")
    case("clamp", [t, -1 if d == I8 else 0, 100], torch.clamp, "clamp")
    m = torch.tensor([1, 0, 1, 0, 1, 0, 1], dtype=torch.bool)
    case("where", [m, t, t.flip(0)], torch.where, f"{NAMES[d]} where")
    case("maskedFill", [t, m, 7], lambda x, mask, v: x.masked_fill(mask, v), "masked_fill")
    x = rand(d, 3, 5)
    case("sum", [x], torch.sum, "sum (torch: int64)")
    case("sum", [x, 1], torch.sum, "sum over dim 1 (torch: int64)")
    case("prod", [rand(d, 4)], torch.prod, "prod (torch: int64)")
    case("max", [x], torch.max, "max keeps the dtype")
    case("min", [x], torch.min, "min keeps the dtype")
    case("argmax", [x], torch.argmax, "argmax (torch: int64)")
    case("cumsum", [x, 1], torch.cumsum, "cumsum (torch: int64)")
    case("matmul", [rand(d, 3, 4), rand(d, 4, 2)], torch.matmul, "wrapping product")
    case("dot", [rand(d, 6), rand(d, 6)], torch.dot, "wrapping dot")
    case("einsum", ["ij,jk->ik", rand(d, 2, 3), rand(d, 3, 2)], torch.einsum, "wrapping einsum")
    case("cat", [[t, t]], torch.cat, "cat keeps the dtype")

# A number argument of fill_, masked_fill, where and clamp is converted to the dtype as c10 does:
# truncated, wrapped, a negative one down to -255 accepted for uint8 (the test checks the errors).
mask2 = torch.tensor([True, False])
for v in (-1, -255, 255, 1.7):
    case("fill", [torch.tensor([1, 2], dtype=U8), v], lambda x, v: x.clone().fill_(v), "uint8 fill_")
    case("maskedFill", [torch.tensor([1, 2], dtype=U8), mask2, v], lambda x, mask, v: x.masked_fill(mask, v), "uint8 masked_fill")
for v in (-128, 127, 1.5, -2.5):
    case("fill", [torch.tensor([1, 2], dtype=I8), v], lambda x, v: x.clone().fill_(v), "int8 fill_")
case("where", [mask2, torch.tensor([1, 2], dtype=U8), -1], torch.where, "uint8 where with -1")
case("clamp", [torch.tensor([1, 100], dtype=U8), -5, 50], torch.clamp, "uint8 clamp(-5, 50): -5 is 251")

floats = torch.tensor([-1.0, 0.0, 2.9, -2.9, 127.5, 128.0, 255.9, 256.5, 300.7, -129.5, -1000.0])
for d in (I8, U8):
    case("to", [floats, NAMES[d]], lambda x, _n, d=d: x.to(d), "float32 to an 8-bit dtype: low 8 bits")
    case("to", [torch.tensor([300, -1, 65535, -129], dtype=torch.int32), NAMES[d]], lambda x, _n, d=d: x.to(d), "int32 to 8 bits")
case("to", [edge8, "uint8"], lambda x, _n: x.to(U8), "int8 to uint8")
case("to", [edgeu, "int8"], lambda x, _n: x.to(I8), "uint8 to int8")

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "int8_ops.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
print(f"{len(cases)} cases -> {path}")
