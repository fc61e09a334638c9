"""float64 layers as torch 1.13 computes them on the CPU: batch_norm (training: output, the
updated running statistics and the gradients; eval), layer_norm, group_norm, LSTM (two
bidirectional layers; a projection), GRU (two bidirectional layers; packed sequences of unequal
lengths), each with the gradients of every input and parameter for random output gradients;
and a few steps of SGD (momentum, Nesterov, weight decay), Adam (L2 decay, AMSGrad), AdamW,
RMSprop (centered, momentum) and Adagrad on a fixed parameter and fixed gradients. Run:
/usr/bin/python3 scripts/gen_fixtures_float64_layers.py (writes
test/fixtures/float64_layers.json)."""
import torch
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from float64_fixtures import enc, r, write_fixture

torch.manual_seed(0)
torch.set_num_threads(1)


norms = []


def norm_case(op, x, params, fn, args, state=None):
    """params: weight/bias leaves (name -> tensor); state: running statistics (name -> tensor)."""
    leaves = {k: v.clone().requires_grad_(True) for k, v in {"x": x, **params}.items()}
    state_before = {k: enc(v) for k, v in (state or {}).items()}
    out = fn(leaves, state)
    g = r(*out.shape)
    out.backward(g)
    norms.append(
        {
            "op": op,
            "args": args,
            "inputs": {k: enc(v) for k, v in {"x": x, **params}.items()},
            "state": state_before,
            "out": enc(out),
            "gradOut": enc(g),
            "grads": {k: enc(v.grad) for k, v in leaves.items()},
            "stateAfter": {k: enc(v) for k, v in (state or {}).items()},
        }
    )


for training in (True, False):
    C = 3
    norm_case(
        "batchNorm",
        r(4, C, 5),
        {"weight": r(C), "bias": r(C)},
        lambda l, s, training=training: F.batch_norm(
            l["x"], s["runningMean"], s["runningVar"], l["weight"], l["bias"], training, 0.1, 1e-5
        ),
        {"training": training, "momentum": 0.1, "eps": 1e-5},
        {"runningMean": r(C), "runningVar": r(C).abs() + 0.5},
    )
norm_case(
    "layerNorm",
    r(3, 4, 6),
    {"weight": r(4, 6), "bias": r(4, 6)},
    lambda l, s: F.layer_norm(l["x"], [4, 6], l["weight"], l["bias"], 1e-5),
    {"normalizedShape": [4, 6], "eps": 1e-5},
)
norm_case(
    "groupNorm",
    r(2, 6, 5),
    {"weight": r(6), "bias": r(6)},
    lambda l, s: F.group_norm(l["x"], 3, l["weight"], l["bias"], 1e-5),
    {"groups": 3, "eps": 1e-5},
)

rnns = []


def rnn_case(mode, opts, T, B, I, lengths=None):
    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[mode]
    m = cls(I, opts["hidden"], num_layers=opts["layers"], bidirectional=opts["bidirectional"],
            proj_size=opts.get("proj", 0), dtype=torch.float64) if mode == "lstm" else cls(
        I, opts["hidden"], num_layers=opts["layers"], bidirectional=opts["bidirectional"], dtype=torch.float64)
    D = 2 if opts["bidirectional"] else 1
    P = opts.get("proj", 0) or opts["hidden"]
    x = r(T, B, I).requires_grad_(True)
    h0 = r(opts["layers"] * D, B, P).requires_grad_(True)
    states = [h0]
    if mode == "lstm":
        states.append(r(opts["layers"] * D, B, opts["hidden"]).requires_grad_(True))
    hx = tuple(states) if mode == "lstm" else h0
    if lengths is None:
        out, hn = m(x, hx)
    else:
        packed = pack_padded_sequence(x, torch.tensor(lengths), enforce_sorted=False)
        out, hn = m(packed, hx)
        out, _ = pad_packed_sequence(out, total_length=T)
    finals = list(hn) if mode == "lstm" else [hn]
    gout = r(*out.shape)
    gfin = [r(*f.shape) for f in finals]
    loss = (out * gout).sum() + sum((f * g).sum() for f, g in zip(finals, gfin))
    loss.backward()
    rnns.append(
        {
            "mode": mode,
            "options": opts,
            "lengths": lengths,
            "params": {k: enc(v) for k, v in m.named_parameters()},
            "x": enc(x),
            "states": [enc(s) for s in states],
            "out": enc(out),
            "finals": [enc(f) for f in finals],
            "gradOut": enc(gout),
            "gradFinals": [enc(g) for g in gfin],
            "gradX": enc(x.grad),
            "gradStates": [enc(s.grad) for s in states],
            "gradParams": {k: enc(v.grad) for k, v in m.named_parameters()},
        }
    )


rnn_case("lstm", {"hidden": 5, "layers": 2, "bidirectional": True}, 4, 3, 4)
rnn_case("lstm", {"hidden": 5, "layers": 1, "bidirectional": False, "proj": 3}, 4, 2, 4)
rnn_case("gru", {"hidden": 5, "layers": 2, "bidirectional": True}, 4, 3, 4)
rnn_case("gru", {"hidden": 4, "layers": 1, "bidirectional": True}, 5, 3, 3, lengths=[5, 2, 4])

optims = []


def optim_case(name, cls, opts, steps=4):
    p0 = r(5, 4)
    grads = [r(5, 4) for _ in range(steps)]
    p = p0.clone().requires_grad_(True)
    o = cls([p], **opts)
    after = []
    for g in grads:
        p.grad = g.clone()
        o.step()
        after.append(enc(p))
    state = o.state[p]
    optims.append(
        {
            "name": name,
            "options": opts,
            "param": enc(p0),
            "grads": [enc(g) for g in grads],
            "after": after,
            "state": {k: enc(v) for k, v in state.items() if torch.is_tensor(v) and v.numel() > 1},
        }
    )


optim_case("SGD", torch.optim.SGD, {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01})
optim_case("SGD", torch.optim.SGD, {"lr": 0.05, "momentum": 0.8, "dampening": 0.1, "nesterov": False})
optim_case("SGD", torch.optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "maximize": True})
optim_case("Adam", torch.optim.Adam, {"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8})
optim_case("Adam", torch.optim.Adam, {"lr": 0.02, "weight_decay": 0.1, "amsgrad": True})
optim_case("AdamW", torch.optim.AdamW, {"lr": 0.01, "weight_decay": 0.05})
optim_case("RMSprop", torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.9, "centered": True, "momentum": 0.5})
optim_case("RMSprop", torch.optim.RMSprop, {"lr": 0.01, "weight_decay": 0.1})
optim_case("Adagrad", torch.optim.Adagrad, {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1})

write_fixture("float64_layers", {"norms": norms, "rnns": rnns, "optims": optims}, f"{len(norms)} norm, {len(rnns)} rnn and {len(optims)} optimizer cases")
