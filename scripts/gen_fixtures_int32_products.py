"""int32 matrix products as torch 1.13 computes them on the CPU: exact, wrapping modulo 2^32 on
overflow (its integer kernels accumulate in int32). matmul (every rank combination, broadcast
batch dims, transposed views), mm, bmm, mv, dot, outer, and the einsum equations for which torch
returns int32 (a contraction of operands, a permutation, a diagonal). Run:
/usr/bin/python3 scripts/gen_fixtures_int32_products.py (writes test/fixtures/int32_products.json)."""
import json
import os

import torch

torch.manual_seed(0)


def big(*shape):
    """Values over all of int32: most products and sums overflow."""
    return torch.randint(-(2**31), 2**31 - 1, shape, dtype=torch.int32)


def small(*shape):
    """Small values: no overflow, so the exact result is checked too."""
    return torch.randint(-50, 50, shape, dtype=torch.int32)


def enc(t):
    return {"shape": list(t.shape), "dtype": "int32", "data": t.reshape(-1).tolist()}


cases = []


def case(op, args, fn, note, transpose=()):
    """transpose: indices of the arguments the test passes as the transposed view of a stored copy."""
    stored = [a.transpose(-1, -2).contiguous() if i in transpose else a for i, a in enumerate(args)]
    out = fn(*args)
    assert out.dtype == torch.int32, (op, out.dtype)
    cases.append(
        {
            "op": op,
            "note": note,
            "args": [enc(a) for a in stored],
            "transpose": list(transpose),
            "out": enc(out),
        }
    )


for gen, kind in ((small, "exact"), (big, "wrapping")):
    case("mm", [gen(3, 4), gen(4, 5)], torch.mm, kind)
    case("mm", [gen(4, 3).t(), gen(4, 5)], torch.mm, kind + ", transposed input", transpose=(0,))
    case("bmm", [gen(2, 4, 3).transpose(1, 2), gen(2, 5, 4).transpose(1, 2)], torch.bmm, kind + ", transposed inputs", transpose=(0, 1))
    case("matmul", [gen(2, 3, 4), gen(4, 5)], torch.matmul, kind + ", 3-D x 2-D")
    case("matmul", [gen(2, 1, 3, 4), gen(3, 4, 2)], torch.matmul, kind + ", broadcast batch dims")
    case("matmul", [gen(4), gen(2, 4, 3)], torch.matmul, kind + ", 1-D x 3-D")
    case("matmul", [gen(2, 3, 4), gen(4)], torch.matmul, kind + ", 3-D x 1-D")
    case("matmul", [gen(7), gen(7)], torch.matmul, kind + ", 1-D x 1-D")
    case("bmm", [gen(3, 2, 4), gen(3, 4, 5)], torch.bmm, kind)
    case("mv", [gen(3, 6), gen(6)], torch.mv, kind)
    case("dot", [gen(9), gen(9)], torch.dot, kind)
    case("outer", [gen(4), gen(3)], torch.outer, kind)
    for eq, shapes in (
        ("ij,jk->ik", [(3, 4), (4, 5)]),
        ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
        ("ij,kj->ik", [(3, 4), (5, 4)]),
        ("i,i->", [(6,), (6,)]),
        ("ij,ij->", [(3, 4), (3, 4)]),
        ("ij,j->i", [(3, 4), (4,)]),
        ("i,j->ij", [(4,), (3,)]),
        ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
        ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]),
        ("ij->ji", [(3, 4)]),
        ("ii->i", [(4, 4)]),
    ):
        case("einsum:" + eq, [gen(*s) for s in shapes], lambda *ts, eq=eq: torch.einsum(eq, *ts), kind)

# Zero-size operands: zeros of the product's shape.
case("mm", [small(3, 0), small(0, 2)], torch.mm, "k = 0")
case("matmul", [small(0, 3, 4), small(4, 2)], torch.matmul, "empty batch")

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "int32_products.json")
with open(path, "w") as f:
    json.dump({"cases": cases}, f)
print("wrote", path, len(cases), "cases")
