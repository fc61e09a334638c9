"""Golden values for autocast from PyTorch (Debian's python3-torch, 1.13): each op myelin has,
run inside torch.autocast('cpu', dtype=torch.bfloat16) on float32 inputs, with the dtype it
returned there (bfloat16 for the lower-precision list, float32 elsewhere), its output and the
float32 inputs' gradients for a random output gradient. Also the M1 MLP's loss and gradients
under autocast. Inputs, outputs and gradients travel as float32 values (bf16 ones are exact).
Run: /usr/bin/python3 scripts/gen_fixtures_autocast.py"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)


def enc(t):
    return {"shape": list(t.shape), "data": t.detach().float().reshape(-1).tolist()}


def rounded(t):
    return t.detach().bfloat16().double()


def case(name, fn, shapes, grad=True, exact=False):
    """exact: also what autocast means for a single product, computed exactly: the op in float64
    on the bf16-rounded inputs, the output rounded to bf16; the gradients the same way from the
    bf16-rounded output gradient. (Debian's torch 1.13 sums bf16 products less exactly than fp32
    sums do: its bf16 results are up to ~1% of the products' magnitudes off these.)"""
    xs = [torch.randn(s) for s in shapes]
    leaves = [x.clone().requires_grad_(grad) for x in xs]
    with torch.autocast("cpu", dtype=torch.bfloat16):
        y = fn(*leaves)
    out = {"name": name, "inputs": [enc(x) for x in xs], "dtype": str(y.dtype).replace("torch.", ""),
           "output": enc(y)}
    g = torch.randn(y.shape)
    if grad:
        y.backward(g.to(y.dtype))
        out["gradOutput"] = enc(g)
        out["grads"] = [enc(x.grad) for x in leaves]
    if exact:
        d = [rounded(x).requires_grad_() for x in xs]
        yd = fn(*d)
        yd.backward(rounded(g))
        out["exact"] = {"output": enc(yd.bfloat16()), "grads": [enc(x.grad.bfloat16()) for x in d]}
    return out


cases = [
    case("linear", lambda x, w, b: F.linear(x, w, b), [(6, 40), (9, 40), (9,)], exact=True),
    case("linear_nobias_3d", lambda x, w: F.linear(x, w), [(2, 3, 24), (5, 24)], exact=True),
    case("matmul_2d", torch.matmul, [(7, 33), (33, 10)], exact=True),
    # Not exact=True: the gradient of the broadcast operand is a sum of bf16 products' bf16
    # results (as torch's autocast computes it), not one rounding of the exact sum.
    case("matmul_batched", torch.matmul, [(3, 1, 4, 16), (2, 16, 6)]),
    case("matmul_fold", torch.matmul, [(2, 5, 40), (40, 9)], exact=True),
    case("matmul_vec_mat", torch.matmul, [(12,), (12, 5)], exact=True),
    case("matmul_vec_vec", torch.matmul, [(20,), (20,)], exact=True),
    case("mm", torch.mm, [(5, 17), (17, 8)], exact=True),
    case("bmm", torch.bmm, [(3, 4, 11), (3, 11, 6)], exact=True),
    case("mv", torch.mv, [(6, 9), (9,)]),
    case("dot", torch.dot, [(30,)] * 2),
    case("outer", torch.outer, [(4,), (5,)]),
    case("einsum_bij_bjk", lambda a, b: torch.einsum("bij,bjk->bik", a, b), [(2, 3, 8), (2, 8, 4)]),
    case("conv1d", lambda x, w, b: F.conv1d(x, w, b, padding=1), [(2, 3, 10), (4, 3, 3), (4,)], exact=True),
    case("conv1d_strided_groups_nobias", lambda x, w: F.conv1d(x, w, stride=2, padding=2, dilation=2, groups=2),
         [(2, 4, 17), (6, 2, 3)], exact=True),
    case("conv2d", lambda x, w, b: F.conv2d(x, w, b, padding=1), [(2, 3, 6, 6), (4, 3, 3, 3), (4,)], exact=True),
    case("conv2d_strided_dilated_groups", lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2),
         dilation=(1, 2), groups=3), [(2, 6, 9, 8), (6, 2, 3, 3), (6,)], exact=True),
    case("conv2d_1x1_nobias", lambda x, w: F.conv2d(x, w), [(2, 8, 5, 5), (4, 8, 1, 1)], exact=True),
    case("conv_transpose1d", lambda x, w, b: F.conv_transpose1d(x, w, b, stride=2, padding=1, output_padding=1),
         [(2, 4, 7), (4, 3, 3), (3,)], exact=True),
    case("conv_transpose2d_groups", lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1,
         output_padding=1, groups=2), [(2, 4, 5, 5), (4, 3, 3, 3), (6,)], exact=True),
    case("conv_transpose2d_dilated_nobias", lambda x, w: F.conv_transpose2d(x, w, stride=(1, 2), dilation=2),
         [(1, 3, 4, 4), (3, 2, 2, 2)], exact=True),
    case("bilinear", lambda a, b, w, bias: F.bilinear(a, b, w, bias), [(4, 5), (4, 6), (3, 5, 6), (3,)]),
    case("relu", F.relu, [(5, 7)]),
    case("add", torch.add, [(5, 7), (5, 7)]),
    case("mul", torch.mul, [(5, 7), (5, 7)]),
    case("sum", lambda x: x.sum(), [(5, 7)]),
    case("softmax", lambda x: F.softmax(x, -1), [(5, 7)]),
    case("log_softmax", lambda x: F.log_softmax(x, -1), [(5, 7)]),
    case("layer_norm", lambda x, w, b: F.layer_norm(x, (7,), w, b), [(5, 7), (7,), (7,)]),
    case("mse_loss", F.mse_loss, [(5, 7), (5, 7)]),
    case("exp", torch.exp, [(5, 7)]),
    case("tanh", torch.tanh, [(5, 7)]),
]

# Attention built from the listed products: softmax(q kᵀ / sqrt(d)) v (torch 1.13 has no
# F.scaled_dot_product_attention; its products are matmuls, as myelin's).
cases.append(case("attention", lambda q, k, v: torch.matmul(
    torch.softmax(torch.matmul(q, k.transpose(-2, -1)) * (8 ** -0.5), -1), v), [(2, 3, 5, 8), (2, 3, 6, 8), (2, 3, 6, 8)]))


def mlp_case():
    # An MLP shaped as M1 but smaller (48-32-16-10, ReLU) on a batch of 16, cross-entropy: the
    # logits, the loss and the parameters' gradients.
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(48, 32), torch.nn.ReLU(), torch.nn.Linear(32, 16),
                                torch.nn.ReLU(), torch.nn.Linear(16, 10))
    x = torch.randn(16, 48)
    y = torch.randint(0, 10, (16,))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits = model(x)
        loss = F.cross_entropy(logits, y)
    loss.backward()
    grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    F.cross_entropy(model(x), y).backward()
    params = [enc(p) for p in model.parameters()]
    return {"gradsFp32": [enc(p.grad) for p in model.parameters()],"x": enc(x), "target": y.tolist(), "params": params, "logitsDtype": str(logits.dtype),
            "lossDtype": str(loss.dtype), "logits": enc(logits), "loss": loss.item(),
            "grads": [enc(g) for g in grads]}


def module_case(name, module, input_shape):
    """A module's output under autocast (its dtype: which of its products ran in bf16), its
    parameters and input."""
    torch.manual_seed(2)
    m = module()
    x = torch.randn(input_shape)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        y = m(x, x, x)[0] if name == "multihead_attention" else m(x)
    y = y[0] if isinstance(y, tuple) else y
    return {"name": name, "state": {k: enc(v) for k, v in m.state_dict().items()}, "input": enc(x),
            "dtype": str(y.dtype).replace("torch.", ""), "output": enc(y)}


modules = [
    module_case("rnn_tanh", lambda: torch.nn.RNN(8, 16, batch_first=True), (2, 5, 8)),
    module_case("rnn_relu", lambda: torch.nn.RNN(8, 16, nonlinearity="relu"), (5, 2, 8)),
    module_case("rnn_cell", lambda: torch.nn.RNNCell(8, 16), (3, 8)),
    module_case("lstm", lambda: torch.nn.LSTM(8, 16, batch_first=True), (2, 5, 8)),
    module_case("lstm_cell", lambda: torch.nn.LSTMCell(8, 16), (3, 8)),
    module_case("gru", lambda: torch.nn.GRU(8, 16), (5, 2, 8)),
    module_case("gru_cell", lambda: torch.nn.GRUCell(8, 16), (3, 8)),
    module_case("multihead_attention", lambda: torch.nn.MultiheadAttention(16, 2, batch_first=True), (2, 5, 16)),
]

out = {"torch": torch.__version__, "cases": cases, "mlp": mlp_case(), "modules": modules}
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "autocast.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote", path)
for c in cases + modules:
    print(c["name"], c["dtype"])
