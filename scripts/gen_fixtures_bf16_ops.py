"""Golden values for ops on bfloat16 tensors from PyTorch 1.13 (Debian's python3-torch): unary,
binary (broadcasting, numbers, promotion with float32 both ways), reductions, softmax and
logSoftmax, matmul/linear/bmm, crossEntropy/mseLoss, layerNorm, gather/indexSelect/where, their
bfloat16 outputs as 16-bit patterns (float32 ones as 32-bit patterns) and the bfloat16 gradients
of several for a fixed bfloat16 output gradient.

myelin computes each op in float32 on the widened inputs and rounds its result once (and its
gradients the same way, from the widened output gradient). Beside PyTorch's bits each entry
carries that reference, computed here in float32 and rounded once (`outOnce`, `gradsOnce`), and
`once`/`gradsUlps`: how many bfloat16 ulps PyTorch's result is from it (0 where PyTorch's kernel is
one rounding of an fp32 result; more where it rounds intermediate results to bf16: its bf16 GEMM on
a CPU without AVX512_BF16 rounds partial sums, a bf16 gelu or layer_norm rounds inside).
`refused`: the ops PyTorch 1.13 has no bfloat16 CPU kernel for.
Run: /usr/bin/python3 scripts/gen_fixtures_bf16_ops.py"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
bf = torch.bfloat16


def bits16(t):
    return [b & 0xFFFF for b in t.detach().contiguous().view(torch.int16).reshape(-1).tolist()]


def bits32(t):
    return [b & 0xFFFFFFFF for b in t.detach().contiguous().float().view(torch.int32).reshape(-1).tolist()]


def ordered(bits):
    # bf16 patterns as integers in value order, so that a difference counts ulps
    return [-(b & 0x7FFF) if b & 0x8000 else b for b in bits]


def ulps(a, b):
    return max([abs(x - y) for x, y in zip(ordered(a), ordered(b))], default=0)


def enc(t):
    if t.dtype == bf:
        return {'dtype': 'bfloat16', 'shape': list(t.shape), 'bits': bits16(t)}
    if t.dtype == torch.float32:
        return {'dtype': 'float32', 'shape': list(t.shape), 'bits': bits32(t)}
    kind = 'bool' if t.dtype == torch.bool else 'int32'
    return {'dtype': kind, 'shape': list(t.shape), 'values': t.reshape(-1).int().tolist()}


def r(*shape, lo=-2.0, hi=2.0):
    return (torch.rand(*shape) * (hi - lo) + lo).to(bf)


a34, b4, b34, pos34 = r(3, 4), r(4), r(3, 4), r(3, 4, lo=0.1, hi=3.0)
f34 = torch.rand(3, 4) * 2 - 1  # a float32 operand
m38, m85, x48, w58, bias5 = r(3, 8), r(8, 5), r(4, 8), r(5, 8), r(5)
b238, b284 = r(2, 3, 8), r(2, 8, 4)
logits, tgt = r(4, 5, lo=-3, hi=3), torch.tensor([0, 3, 4, 1])
ln_w, ln_b = r(8, lo=0.5, hi=1.5), r(8, lo=-0.5, hi=0.5)
idx = torch.tensor([[0, 3], [1, 1], [2, 0]])
sel = torch.tensor([2, 0])
cond = a34 > 0

# name, inputs (tensors; ints stay int32), f, grad?, sums?[, the float32 reference when it is not f:
# PyTorch rounds a number operand to bf16 first, and so does myelin]
CASES = [
    ('exp', [a34], lambda x: torch.exp(x), True, False),
    ('log', [pos34], lambda x: torch.log(x), True, False),
    ('tanh', [a34], lambda x: torch.tanh(x), True, False),
    ('sigmoid', [a34], lambda x: torch.sigmoid(x), True, False),
    ('relu', [a34], lambda x: torch.relu(x), True, False),
    ('gelu', [a34], lambda x: F.gelu(x), True, False),
    ('sqrt', [pos34], lambda x: torch.sqrt(x), True, False),
    ('neg', [a34], lambda x: -x, False, False),
    ('abs', [a34], lambda x: x.abs(), False, False),
    ('sin', [a34], lambda x: torch.sin(x), False, False),
    ('add', [a34, b4], lambda x, y: x + y, True, True),  # y's gradient sums over the broadcast dim
    ('sub', [a34, b34], lambda x, y: x - y, True, False),
    ('mul', [a34, b34], lambda x, y: x * y, True, False),
    ('div', [a34, pos34], lambda x, y: x / y, True, False),
    ('mulScalar', [a34], lambda x: x * 0.1, True, False, lambda x: x * torch.tensor(0.1).to(bf).item()),
    ('addScalar', [a34], lambda x: x + 1 / 3, False, False, lambda x: x + torch.tensor(1 / 3).to(bf).item()),
    ('divScalar', [a34], lambda x: x / 3, False, False),
    ('rsubScalar', [a34], lambda x: 1.5 - x, False, False),
    ('addFloat32', [a34, f34], lambda x, y: x + y, False, False),
    ('mulFloat32First', [f34, a34], lambda x, y: x * y, False, False),
    ('sumAll', [a34], lambda x: x.sum(), True, True),
    ('sumDim1', [a34], lambda x: x.sum(1), True, True),
    ('meanDim0', [a34], lambda x: x.mean(0), True, True),
    ('amaxDim1', [a34], lambda x: x.amax(1), False, False),
    ('maxAll', [a34], lambda x: x.max(), False, False),
    ('prodDim1', [a34], lambda x: x.prod(1), False, True),
    ('norm', [a34], lambda x: x.norm(), False, True),
    ('softmax', [a34], lambda x: torch.softmax(x, 1), True, True),
    ('logSoftmax', [a34], lambda x: torch.log_softmax(x, 1), True, True),
    ('matmul', [m38, m85], lambda x, y: x @ y, True, True),
    ('linear', [x48, w58, bias5], lambda x, w, b: F.linear(x, w, b), True, True),
    ('bmm', [b238, b284], lambda x, y: torch.bmm(x, y), True, True),
    ('crossEntropy', [logits, tgt], lambda x, t: F.cross_entropy(x, t), True, True),
    ('mseLoss', [a34, b34], lambda x, y: F.mse_loss(x, y), True, True),
    ('layerNorm', [m38, ln_w, ln_b], lambda x, w, b: F.layer_norm(x, [8], w, b), True, True),
    ('gather', [a34, idx], lambda x, i: torch.gather(x, 1, i), True, True),
    ('indexSelect', [a34, sel], lambda x, i: torch.index_select(x, 0, i), True, True),
    ('where', [cond, a34, b34], lambda c, x, y: torch.where(c, x, y), True, False),
]

out = []
refused = {}
for name, inputs, f, grad, sums, *ref in CASES:
    leaves = [t.clone().requires_grad_(grad and t.is_floating_point()) for t in inputs]
    try:
        y = f(*leaves)
    except RuntimeError as e:  # no bf16 CPU kernel in 1.13: myelin refuses it too
        refused[name] = str(e).split('\n')[0]
        continue
    wide = [t.float().requires_grad_(grad and t.is_floating_point()) if t.dtype == bf else t.clone() for t in inputs]
    y32 = (ref[0] if ref else f)(*wide)
    entry = {'name': name, 'inputs': [enc(t) for t in inputs], 'out': enc(y), 'sums': sums}
    if y.dtype == bf:
        entry['outOnce'] = bits16(y32.to(bf))
        entry['once'] = ulps(bits16(y), entry['outOnce'])
    if grad:
        g = r(*y.shape) if y.dim() else torch.tensor(0.75, dtype=bf)
        y.backward(g)
        y32.backward(g.float())
        entry['grad'] = enc(g)
        entry['grads'] = [bits16(t.grad) if t.grad is not None else None for t in leaves]
        entry['gradsOnce'] = [bits16(w.grad.to(bf)) if t.grad is not None else None for t, w in zip(leaves, wide)]
        entry['gradsUlps'] = [
            ulps(bits16(t.grad), g) if g is not None else None for t, g in zip(leaves, entry['gradsOnce'])
        ]
    out.append(entry)

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, '..', 'test', 'fixtures', 'bf16_ops.json'), 'w') as fh:
    json.dump({'torch': torch.__version__, 'cases': out, 'refused': refused}, fh)
for e in out:
    print(e['name'], e['out']['dtype'], 'once', e.get('once'), 'grads', e.get('gradsUlps'))
print('refused', refused)
