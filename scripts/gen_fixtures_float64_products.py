"""float64 matrix products as torch 1.13 computes them on the CPU: matmul (every rank
combination, broadcast batch dims), mm (a transposed input, and a product past the GEMM's tiles
and cache blocks), bmm, mv, dot, outer, einsum contractions and F.linear (with and without bias,
3-D input), each with the gradients of every input for a random output gradient. Run:
/usr/bin/python3 scripts/gen_fixtures_float64_products.py (writes
test/fixtures/float64_products.json)."""
import torch
import torch.nn.functional as F

from float64_fixtures import enc, r, write_fixture

torch.manual_seed(0)


cases = []


def case(op, args, fn, note, transpose=()):
    """transpose: indices of the arguments the test passes as the transposed view of a stored copy."""
    stored = [a.transpose(-1, -2).contiguous() if i in transpose else a for i, a in enumerate(args)]
    leaves = [s.clone().requires_grad_(True) for s in stored]
    used = [l.transpose(-1, -2) if i in transpose else l for i, l in enumerate(leaves)]
    out = fn(*used)
    assert out.dtype == torch.float64, (op, out.dtype)
    g = r(*out.shape)
    out.backward(g)
    cases.append(
        {
            "op": op,
            "note": note,
            "args": [enc(s) for s in stored],
            "transpose": list(transpose),
            "out": enc(out.detach()),
            "gradOut": enc(g),
            "grads": [enc(l.grad) for l in leaves],
        }
    )


case("mm", [r(3, 4), r(4, 5)], torch.mm, "2-D")
case("mm", [r(4, 3).t(), r(4, 5)], torch.mm, "transposed input", transpose=(0,))
case("mm", [r(70, 130), r(130, 90)], torch.mm, "past the tiles and the k block")
case("matmul", [r(2, 3, 4), r(4, 5)], torch.matmul, "3-D x 2-D")
case("matmul", [r(2, 1, 3, 4), r(3, 4, 2)], torch.matmul, "broadcast batch dims")
case("matmul", [r(4), r(2, 4, 3)], torch.matmul, "1-D x 3-D")
case("matmul", [r(2, 3, 4), r(4)], torch.matmul, "3-D x 1-D")
case("matmul", [r(7), r(7)], torch.matmul, "1-D x 1-D")
case("bmm", [r(3, 2, 4), r(3, 4, 5)], torch.bmm, "batched")
case("bmm", [r(2, 4, 3).transpose(1, 2), r(2, 5, 4).transpose(1, 2)], torch.bmm, "transposed inputs", transpose=(0, 1))
case("mv", [r(3, 6), r(6)], torch.mv, "matrix-vector")
case("dot", [r(9), r(9)], torch.dot, "dot")
case("outer", [r(4), r(3)], torch.outer, "outer")
for eq, shapes in (
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ij,kj->ik", [(3, 4), (5, 4)]),
    ("i,i->", [(6,), (6,)]),
    ("ij,j->i", [(3, 4), (4,)]),
    ("i,j->ij", [(4,), (3,)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("ii->i", [(4, 4)]),
):
    case("einsum:" + eq, [r(*s) for s in shapes], lambda *ts, eq=eq: torch.einsum(eq, *ts), "einsum")
case("linear", [r(5, 4), r(3, 4), r(3)], F.linear, "with bias")
case("linear", [r(2, 5, 4), r(3, 4)], F.linear, "3-D input, no bias")

write_fixture("float64_products", {"cases": cases}, f"{len(cases)} cases")
