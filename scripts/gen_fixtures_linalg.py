"""Golden values for matmul/mm/bmm/mv/dot/outer, addmm/baddbmm/addbmm/addmv/addr, einsum and the indexing ops (gather, scatter,
scatterAdd, indexSelect, maskedFill, sort, argsort, topk, nonzero, oneHot) from PyTorch
(Debian's python3-torch). Every case stores its inputs, the output, a fixed output gradient and
the input gradients it gives. Run: /usr/bin/python3 scripts/gen_fixtures_linalg.py"""
import json
import os

import torch

torch.manual_seed(0)


def enc(x):
    """A tensor as {shape, dtype, data}; floats rounded to 6 significant digits."""
    x = x.detach()
    dtype = {torch.float32: "float32", torch.int64: "int32", torch.int32: "int32", torch.bool: "bool"}[x.dtype]
    flat = x.reshape(-1).tolist()
    if dtype == "float32":
        flat = [float("%.6g" % v) for v in flat]
    elif dtype == "bool":
        flat = [bool(v) for v in flat]
    return {"shape": list(x.shape), "dtype": dtype, "data": flat}


def rnd(*shape):
    return torch.round(torch.randn(tuple(shape)) * 1000) / 1000  # exact in the fixture's 6 digits


def case(name, fn, inputs, args=None, diff=None):
    """Runs fn(*inputs); float inputs (or those listed in diff) get gradients from a fixed g."""
    diff = diff if diff is not None else [i for i, x in enumerate(inputs) if x.dtype == torch.float32]
    ins = [x.clone().requires_grad_(i in diff) for i, x in enumerate(inputs)]
    out = fn(*ins)
    values = out[0] if isinstance(out, tuple) else out
    entry = {"name": name, "args": args or {}, "inputs": [enc(x) for x in ins]}
    if isinstance(out, tuple):
        entry["output"] = enc(out[0])
        entry["indices"] = enc(out[1])
    else:
        entry["output"] = enc(out)
    if diff and values.requires_grad:
        g = rnd(*values.shape)
        values.backward(g)
        entry["gradOutput"] = enc(g)
        entry["grads"] = [enc(x.grad) if x.grad is not None else None for x in ins]
    return entry


matmul = []
for a, b in [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((2, 2, 3), (3, 4)),
             ((3,), (2, 3, 4)), ((2, 2, 3), (3,)), ((2, 1, 2, 3), (3, 3, 2)), ((2, 3), (2, 3, 4)),
             ((1, 2, 3), (2, 3, 4)), ((2, 2, 3), (2, 3, 4))]:
    matmul.append(case(f"matmul {list(a)} x {list(b)}", torch.matmul, [rnd(*a), rnd(*b)], {"op": "matmul"}))
matmul.append(case("mm", torch.mm, [rnd(3, 5), rnd(5, 2)], {"op": "mm"}))
matmul.append(case("bmm", torch.bmm, [rnd(2, 3, 4), rnd(2, 4, 2)], {"op": "bmm"}))
matmul.append(case("mv", torch.mv, [rnd(3, 4), rnd(4)], {"op": "mv"}))
matmul.append(case("dot", torch.dot, [rnd(5), rnd(5)], {"op": "dot"}))
matmul.append(case("outer", torch.outer, [rnd(3), rnd(4)], {"op": "outer"}))

EINSUM = [
    # shared seed 000
    ("ij,j->i", [(3, 4), (4,)]),
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ii->", [(4, 4)]),
    ("i,j->ij", [(3,), (2,)]),
    ("bij,bjk->bik", [(3, 2, 4), (3, 4, 3)]),
    ("bqd,bkd->bqk", [(2, 3, 4), (2, 2, 4)]),
    ("bqk,bkv->bqv", [(2, 3, 4), (2, 4, 3)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 3), (2, 2, 2, 3)]),
    ("i,ij,j->", [(5,), (5, 5), (5,)]),
    ("bi,ij,bj->b", [(4, 5), (5, 5), (4, 5)]),
    ("bii->b", [(3, 4, 4)]),
    ("ijk,klm->ijlm", [(2, 3, 4), (4, 2, 3)]),
    ("abcd,cdef->abef", [(2, 2, 3, 2), (3, 2, 2, 2)]),
    # the general case
    ("ij->ji", [(3, 4)]),
    ("ij->", [(3, 4)]),
    ("ij", [(3, 4)]),
    ("ji", [(3, 4)]),
    ("ba,ab", [(3, 4), (4, 3)]),
    ("ii->i", [(4, 4)]),
    ("iij->j", [(3, 3, 2)]),
    ("ij,ij->ij", [(3, 4), (3, 4)]),
    ("ij,ij->", [(3, 4), (3, 4)]),
    ("ijk->kji", [(2, 3, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("bn,anm,bm->ba", [(3, 2), (4, 2, 5), (3, 5)]),
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (3, 3, 4)]),
    ("...ij,...jk", [(2, 2, 3), (2, 3, 4)]),
    ("i...->...", [(3, 2, 2)]),
    ("...ii->...i", [(2, 3, 3)]),
    ("ij,jk->ik", [(2, 1), (3, 4)]),
    ("ij,j->", [(3, 4), (4,)]),
    ("ik,jk->", [(2, 3), (4, 3)]),
    ("aB,Ba->", [(2, 3), (3, 2)]),
    ("i,i,i->i", [(4,), (4,), (4,)]),
    ("ijj,jk->ik", [(2, 3, 3), (3, 2)]),
]
einsum = [case(eq, lambda *xs, eq=eq: torch.einsum(eq, *xs), [rnd(*s) for s in shapes], {"equation": eq})
          for eq, shapes in EINSUM]


def distinct(*shape):
    """Values without ties (sort/topk order is then unique)."""
    n = 1
    for s in shape:
        n *= s
    return (torch.randperm(n).float() / 8 - 2).reshape(shape)


idx = lambda data: torch.tensor(data, dtype=torch.int64)
indexing = [
    case("gather dim 0", lambda x, i: torch.gather(x, 0, i), [rnd(3, 4), idx([[0, 1, 2, 0], [2, 2, 1, 0]])], {"op": "gather", "dim": 0}),
    case("gather dim 1", lambda x, i: torch.gather(x, 1, i), [rnd(3, 4), idx([[3, 3], [0, 1], [2, 0]])], {"op": "gather", "dim": 1}),
    case("gather 3-D dim -1", lambda x, i: torch.gather(x, -1, i), [rnd(2, 3, 4), torch.randint(0, 4, (2, 2, 5))], {"op": "gather", "dim": -1}),
    case("scatter src", lambda x, i, s: torch.scatter(x, 0, i, s), [rnd(3, 4), idx([[0, 1, 2, 0], [2, 0, 1, 1]]), rnd(2, 4)], {"op": "scatter", "dim": 0}),
    case("scatter src larger than index", lambda x, i, s: torch.scatter(x, 1, i, s), [rnd(3, 5), idx([[4, 0], [1, 3], [2, 2]]), rnd(3, 3)], {"op": "scatter", "dim": 1}, diff=[0]),  # torch has no src grad here
    case("scatter value", lambda x, i: torch.scatter(x, 1, i, 2.5), [rnd(2, 4), idx([[1, 3], [0, 2]])], {"op": "scatter", "dim": 1, "value": 2.5}),
    case("scatterAdd duplicates", lambda x, i, s: torch.scatter_add(x, 0, i, s), [rnd(3, 2), idx([[0, 1], [0, 1], [2, 1], [0, 0]]), rnd(4, 2)], {"op": "scatterAdd", "dim": 0}),
    case("scatterAdd 3-D dim 2", lambda x, i, s: torch.scatter_add(x, 2, i, s), [rnd(2, 2, 3), torch.randint(0, 3, (2, 2, 4)), rnd(2, 2, 4)], {"op": "scatterAdd", "dim": 2}),
    case("indexSelect dim 0", lambda x, i: torch.index_select(x, 0, i), [rnd(4, 3), idx([3, 0, 3, 1])], {"op": "indexSelect", "dim": 0}),
    case("indexSelect dim 1", lambda x, i: torch.index_select(x, 1, i), [rnd(2, 4, 3), idx([2, 2, 0])], {"op": "indexSelect", "dim": 1}),
    case("maskedFill", lambda x, m: x.masked_fill(m, -1.5), [rnd(3, 4), torch.rand(3, 4) > 0.5], {"op": "maskedFill", "value": -1.5}),
    case("maskedFill broadcast mask", lambda x, m: x.masked_fill(m, 0.0), [rnd(2, 3, 4), torch.tensor([True, False, False, True])], {"op": "maskedFill", "value": 0.0}),
    case("sort ascending", lambda x: torch.sort(x, -1), [distinct(3, 5)], {"op": "sort", "dim": -1, "descending": False}),
    case("sort descending dim 0", lambda x: torch.sort(x, 0, descending=True), [distinct(4, 3)], {"op": "sort", "dim": 0, "descending": True}),
    case("sort stable ties", lambda x: torch.sort(x, stable=True, dim=-1), [torch.tensor([[2.0, 1.0, 2.0, 1.0, 0.0], [1.0, 1.0, 1.0, 0.5, 3.0]])], {"op": "sort", "dim": -1, "descending": False}),
    case("sort stable ties descending", lambda x: torch.sort(x, stable=True, dim=-1, descending=True), [torch.tensor([[2.0, 1.0, 2.0, 1.0, 0.0]])], {"op": "sort", "dim": -1, "descending": True}),
    case("argsort descending", lambda x: torch.argsort(x, 1, descending=True), [distinct(2, 6)], {"op": "argsort", "dim": 1, "descending": True}),
    case("topk largest", lambda x: torch.topk(x, 2, -1), [distinct(3, 5)], {"op": "topk", "k": 2, "dim": -1, "largest": True}),
    case("topk smallest dim 0", lambda x: torch.topk(x, 3, 0, largest=False), [distinct(4, 3)], {"op": "topk", "k": 3, "dim": 0, "largest": False}),
    case("nonzero", torch.nonzero, [torch.tensor([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])], {"op": "nonzero"}),
    case("oneHot", lambda i: torch.nn.functional.one_hot(i, 5), [idx([[0, 3], [4, 1]])], {"op": "oneHot", "numClasses": 5}),
]

# beta * input + alpha * product (after the other groups, so their draws stay as they were).
# nanInput: the op gets input + NaN (beta 0 must ignore it; input's gradient is then zeros).
ADD_PRODUCTS = {"addmm": torch.addmm, "baddbmm": torch.baddbmm, "addbmm": torch.addbmm, "addmv": torch.addmv, "addr": torch.addr}
addmm = []
for op, shapes, beta, alpha, nan in [
    ("addmm", [(2, 3), (2, 4), (4, 3)], 1, 1, False),
    ("addmm", [(3,), (2, 4), (4, 3)], 0.5, -2, False),
    ("addmm", [(), (3, 2), (2, 4)], 2, 0.25, False),
    ("addmm", [(2, 3), (2, 4), (4, 3)], 0, 1.5, True),
    ("baddbmm", [(3, 5), (2, 3, 4), (2, 4, 5)], 0.5, 1.5, False),
    ("baddbmm", [(2, 3, 5), (2, 3, 4), (2, 4, 5)], 0, -1, True),
    ("addbmm", [(2, 3), (3, 2, 4), (3, 4, 3)], 1, 0.5, False),
    ("addbmm", [(3,), (3, 2, 4), (3, 4, 3)], -1, 2, False),
    ("addmv", [(3,), (3, 4), (4,)], -1, 2, False),
    ("addmv", [(), (3, 4), (4,)], 0.5, 1, False),
    ("addmv", [(3,), (3, 4), (4,)], 0, 1, True),
    ("addr", [(3, 4), (3,), (4,)], 0.5, 2, False),
    ("addr", [(4,), (3,), (4,)], 1, -1, False),
    ("addr", [(3, 4), (3,), (4,)], 0, 1, True),
]:
    fn = lambda x, a, b, op=op, beta=beta, alpha=alpha, nan=nan: ADD_PRODUCTS[op](
        x + torch.full_like(x, float("nan")) if nan else x, a, b, beta=beta, alpha=alpha)
    args = {"op": op, "beta": beta, "alpha": alpha, "nanInput": nan}
    name = f"{op} {' '.join(str(list(s)) for s in shapes)} beta {beta} alpha {alpha}{' NaN input' if nan else ''}"
    addmm.append(case(name, fn, [rnd(*s) for s in shapes], args))

# Under torch.autocast('cpu', bfloat16): addmm, baddbmm and addbmm compute in bf16 (k past the
# bf16 GEMM's short-k cutoff); the output is widened back to float32 for the fixture.
addmm_autocast = []
for op, shapes, beta, alpha in [
    ("addmm", [(3,), (4, 40), (40, 3)], 0.5, 2),
    ("baddbmm", [(4, 3), (2, 4, 40), (2, 40, 3)], 1, 1),
    ("addbmm", [(4, 3), (2, 4, 40), (2, 40, 3)], -1, 0.5),
]:
    def fn(x, a, b, op=op, beta=beta, alpha=alpha):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return ADD_PRODUCTS[op](x, a, b, beta=beta, alpha=alpha).float()
    args = {"op": op, "beta": beta, "alpha": alpha}
    addmm_autocast.append(case(f"{op} under autocast", fn, [rnd(*s) for s in shapes], args))

out = {"torch": torch.__version__, "matmul": matmul, "einsum": einsum, "indexing": indexing, "addmm": addmm,
       "addmmAutocast": addmm_autocast}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "linalg.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {os.path.normpath(path)} ({os.path.getsize(path)} bytes)")
