"""Golden values for myelin's sequence modules (Embedding, scaled dot-product attention,
MultiheadAttention, TransformerEncoder(Layer), RNN/LSTM/GRU and cells) from PyTorch (Debian's
python3-torch 1.13).  Run: /usr/bin/python3 scripts/gen_fixtures_seq.py  (writes test/fixtures/seq.json)
Each case holds the module's state dict (torch keys), the inputs, the outputs and the gradients of
sum(output * g) for the given g's."""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


def t(x):
    return [round(v, 7) if isinstance(v, float) else v for v in x.detach().reshape(-1).tolist()]


def enc(x):
    return {"shape": list(x.shape), "data": t(x)}


def state(m):
    return {k: enc(v) for k, v in m.state_dict().items()}


def grads(m):
    return {k: enc(p.grad) for k, p in m.named_parameters() if p.grad is not None}


out = {"torch": torch.__version__}

# ---- embedding ---------------------------------------------------------------------------
out["embedding"] = []
for opts in [{}, {"paddingIdx": 2}, {"maxNorm": 1.0}]:
    emb = nn.Embedding(6, 3, padding_idx=opts.get("paddingIdx"), max_norm=opts.get("maxNorm"))
    w0 = enc(emb.weight)
    idx = torch.tensor([[1, 2, 5], [2, 0, 1]])
    y = emb(idx)
    g = torch.randn(y.shape)
    (y * g).sum().backward()
    out["embedding"].append({"options": opts, "weight": w0, "indices": enc(idx), "y": enc(y), "g": t(g),
                             "weightAfter": t(emb.weight), "dweight": t(emb.weight.grad)})

# ---- scaled dot-product attention (torch 2.0 semantics, written out) -----------------------
def sdpa_ref(q, k, v, mask=None, causal=False, scale=None):
    s = q @ k.transpose(-2, -1) * (scale if scale is not None else 1 / q.shape[-1] ** 0.5)
    if causal:
        mask = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool).tril()
    if mask is not None:
        s = s + (torch.zeros_like(mask, dtype=torch.float).masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else mask)
    return torch.softmax(s, -1) @ v


out["sdpa"] = []
for name in ["plain", "boolMask", "floatMask", "causal", "scale"]:
    q = torch.randn(2, 2, 3, 4, requires_grad=True)
    k = torch.randn(2, 2, 5, 4, requires_grad=True)
    v = torch.randn(2, 2, 5, 3, requires_grad=True)
    mask = None
    if name == "boolMask":
        mask = torch.rand(3, 5) > 0.4
        mask[:, 0] = True
    if name == "floatMask":
        mask = torch.randn(2, 1, 3, 5)
    y = sdpa_ref(q, k, v, mask, causal=name == "causal", scale=0.3 if name == "scale" else None)
    g = torch.randn(y.shape)
    (y * g).sum().backward()
    case = {"name": name, "q": enc(q), "k": enc(k), "v": enc(v), "y": t(y), "g": t(g),
            "dq": t(q.grad), "dk": t(k.grad), "dv": t(v.grad)}
    if mask is not None:
        case["mask"] = {"shape": list(mask.shape), "data": t(mask.float()), "bool": mask.dtype == torch.bool}
    out["sdpa"].append(case)

# ---- MultiheadAttention --------------------------------------------------------------------
out["mha"] = []
mha_cases = [
    {"batchFirst": False},
    {"batchFirst": True},
    {"batchFirst": True, "kdim": 5, "vdim": 3},
    {"batchFirst": False, "bias": False, "averageAttnWeights": False},
    {"batchFirst": True, "attnMask": "bool", "keyPaddingMask": True},
    {"batchFirst": False, "attnMask": "float"},
    {"batchFirst": True, "attnMask": "bool3d"},
]
for c in mha_cases:
    E, H, N, L, S = 8, 2, 2, 3, 4
    kd, vd = c.get("kdim", E), c.get("vdim", E)
    m = nn.MultiheadAttention(E, H, bias=c.get("bias", True), batch_first=c["batchFirst"], kdim=kd, vdim=vd)
    if c.get("bias", True):
        with torch.no_grad():
            m.in_proj_bias.normal_()
            m.out_proj.bias.normal_()

    def shp(n_, l_, e_):
        return (n_, l_, e_) if c["batchFirst"] else (l_, n_, e_)
    q = torch.randn(*shp(N, L, E), requires_grad=True)
    k = torch.randn(*shp(N, S, kd), requires_grad=True)
    v = torch.randn(*shp(N, S, vd), requires_grad=True)
    kw = {"average_attn_weights": c.get("averageAttnWeights", True)}
    case = {"options": c, "state": state(m)}
    if c.get("attnMask") == "bool":
        am = torch.rand(L, S) > 0.6
        am[:, 1] = False
        kw["attn_mask"] = am
    elif c.get("attnMask") == "float":
        kw["attn_mask"] = torch.randn(L, S)
    elif c.get("attnMask") == "bool3d":
        am = torch.rand(N * H, L, S) > 0.6
        am[:, :, 0] = False
        kw["attn_mask"] = am
    if "attn_mask" in kw:
        case["attnMask"] = {"shape": list(kw["attn_mask"].shape), "data": t(kw["attn_mask"].float()), "bool": kw["attn_mask"].dtype == torch.bool}
    if c.get("keyPaddingMask"):
        kpm = torch.tensor([[False, False, True, False], [False, False, False, True]])
        kw["key_padding_mask"] = kpm
        case["keyPaddingMask"] = {"shape": list(kpm.shape), "data": t(kpm.float())}
    y, w = m(q, k, v, **kw)
    g = torch.randn(y.shape)
    gw = torch.randn(w.shape)
    ((y * g).sum() + (w * gw).sum()).backward()
    case.update({"q": enc(q), "k": enc(k), "v": enc(v), "y": enc(y), "w": enc(w), "g": t(g), "gw": t(gw),
                 "dq": t(q.grad), "dk": t(k.grad), "dv": t(v.grad), "grads": grads(m)})
    out["mha"].append(case)

# ---- TransformerEncoderLayer / TransformerEncoder ------------------------------------------
out["encoder"] = []
for c in [{"activation": "relu", "normFirst": False, "batchFirst": True},
          {"activation": "gelu", "normFirst": True, "batchFirst": False},
          {"activation": "relu", "normFirst": False, "batchFirst": True, "numLayers": 2, "norm": True, "mask": True}]:
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, activation=c["activation"],
                                       norm_first=c["normFirst"], batch_first=c["batchFirst"])
    with torch.no_grad():
        for p in layer.parameters():
            p.add_(0.1 * torch.randn(p.shape))
    if "numLayers" in c:
        m = nn.TransformerEncoder(layer, c["numLayers"], norm=nn.LayerNorm(8), enable_nested_tensor=False)
        with torch.no_grad():
            m.layers[1].linear1.weight.mul_(1.5)
    else:
        m = layer
    m.eval()
    x = torch.randn(2, 3, 8, requires_grad=True)
    kw = {}
    case = {"options": c, "state": state(m)}
    if c.get("mask"):
        kw["src_key_padding_mask"] = torch.tensor([[False, False, True], [False, False, False]])
        kw["mask"] = torch.triu(torch.full((3, 3), float("-inf")), 1)
    y = m(x, **kw)
    g = torch.randn(y.shape)
    (y * g).sum().backward()
    case.update({"x": enc(x), "y": t(y), "g": t(g), "dx": t(x.grad), "grads": grads(m)})
    out["encoder"].append(case)

# ---- RNN / LSTM / GRU ------------------------------------------------------------------------
out["rnn"] = []


def rnn_case(kind, opts, with_h0, lengths=None):
    I, Hd, T, B = 3, 4, 5, 2
    cls = {"LSTM": nn.LSTM, "GRU": nn.GRU, "RNN": nn.RNN}[kind]
    kw = dict(num_layers=opts.get("numLayers", 1), bidirectional=opts.get("bidirectional", False),
              batch_first=opts.get("batchFirst", False), bias=opts.get("bias", True))
    if kind == "RNN":
        kw["nonlinearity"] = opts.get("nonlinearity", "tanh")
    if opts.get("projSize"):
        kw["proj_size"] = opts["projSize"]
    m = cls(I, Hd, **kw)
    D = 2 if kw["bidirectional"] else 1
    x = torch.randn(*((B, T, I) if kw["batch_first"] else (T, B, I)), requires_grad=True)
    hs = []
    if with_h0:
        sizes = [opts.get("projSize") or Hd, Hd] if kind == "LSTM" else [Hd]
        hs = [torch.randn(kw["num_layers"] * D, B, size, requires_grad=True) for size in sizes]
    hx = (tuple(hs) if kind == "LSTM" else hs[0]) if hs else None
    inp = x
    if lengths is not None:
        inp = nn.utils.rnn.pack_padded_sequence(x, torch.tensor(lengths), batch_first=kw["batch_first"], enforce_sorted=False)
    y, hn = m(inp, hx)
    if lengths is not None:
        y, _ = nn.utils.rnn.pad_packed_sequence(y, batch_first=kw["batch_first"], total_length=T)
    finals = list(hn) if kind == "LSTM" else [hn]
    g = torch.randn(y.shape)
    gh = [torch.randn(f.shape) for f in finals]
    loss = (y * g).sum() + sum((f * q).sum() for f, q in zip(finals, gh))
    loss.backward()
    case = {"kind": kind, "options": opts, "lengths": lengths, "state": state(m), "x": enc(x),
            "h0": [enc(h) for h in hs], "y": enc(y), "finals": [enc(f) for f in finals], "g": t(g),
            "gFinals": [t(q) for q in gh], "dx": t(x.grad), "dh0": [t(h.grad) for h in hs], "grads": grads(m)}
    out["rnn"].append(case)


for layers in [1, 2]:
    for bi in [False, True]:
        for bf in [False, True]:
            rnn_case("LSTM", {"numLayers": layers, "bidirectional": bi, "batchFirst": bf}, with_h0=(layers + bi + bf) % 2 == 0)
rnn_case("GRU", {}, True)
rnn_case("GRU", {"numLayers": 2, "bidirectional": True, "batchFirst": True}, False)
rnn_case("RNN", {}, True)
rnn_case("RNN", {"nonlinearity": "relu", "numLayers": 2, "bidirectional": True}, False)
rnn_case("LSTM", {"bias": False}, False)
rnn_case("LSTM", {"bidirectional": True, "numLayers": 2}, True, lengths=[5, 3])
rnn_case("GRU", {"bidirectional": True, "batchFirst": True}, False, lengths=[2, 5])
rnn_case("RNN", {}, False, lengths=[4, 1])

# ---- cells ----------------------------------------------------------------------------------
out["cells"] = []
for kind in ["LSTMCell", "GRUCell", "RNNCell"]:
    m = getattr(nn, kind)(3, 4)
    x = torch.randn(2, 3, requires_grad=True)
    hs = [torch.randn(2, 4, requires_grad=True) for _ in range(2 if kind == "LSTMCell" else 1)]
    r = m(x, tuple(hs) if kind == "LSTMCell" else hs[0])
    res = list(r) if kind == "LSTMCell" else [r]
    gs = [torch.randn(v.shape) for v in res]
    sum((a * b).sum() for a, b in zip(res, gs)).backward()
    out["cells"].append({"kind": kind, "state": state(m), "x": enc(x), "h0": [enc(h) for h in hs], "out": [t(v) for v in res],
                         "g": [t(q) for q in gs], "dx": t(x.grad), "dh0": [t(h.grad) for h in hs], "grads": grads(m)})

# ---- LSTM with a projection (proj_size): after the cells, so the cases above keep their values ----
rnn_case("LSTM", {"projSize": 2}, True)
rnn_case("LSTM", {"projSize": 3, "numLayers": 2, "bidirectional": True, "batchFirst": True}, False)
rnn_case("LSTM", {"projSize": 2, "numLayers": 2, "bidirectional": True}, True, lengths=[5, 3])

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "seq.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote", os.path.normpath(path), os.path.getsize(path), "bytes")
