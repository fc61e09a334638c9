"""Golden values for nn.TransformerDecoderLayer, nn.TransformerDecoder and nn.Transformer from
PyTorch 1.13 (Debian's python3-torch), with every mask kind: a causal tgt_mask from
generate_square_subsequent_mask, a float memory_mask, bool key padding masks, and norm_first,
batch_first and the activations. Each case holds the module's state dict (torch's keys), the
inputs, the output and the gradients of sum(output * g) for inputs and parameters.
Run: /usr/bin/python3 scripts/gen_fixtures_transformer.py (writes test/fixtures/transformer.json;
test/nn/transformer.test.ts replays it). Dropout is 0 and the modules are in training mode, so
PyTorch runs its reference path (not the fused inference fast path)."""
import json
import math
import os

import torch
import torch.nn as nn

torch.manual_seed(0)
E, H, FF, S, T, N = 8, 2, 12, 5, 4, 2


def t(x):
    # -inf (a mask's) as the string JavaScript's Number() reads back; JSON has no infinities.
    return [(round(v, 7) if math.isfinite(v) else "-Infinity" if v < 0 else "Infinity") if isinstance(v, float) else v
            for v in x.detach().reshape(-1).tolist()]


def enc(x):
    return {"shape": list(x.shape), "data": t(x), **({"bool": True} if x.dtype == torch.bool else {})}


def perturb(m):
    # Non-zero biases and norms, so every parameter is exercised.
    with torch.no_grad():
        for p in m.parameters():
            p.add_(0.1 * torch.randn(p.shape))
    return m


def inputs(batch_first):
    src = torch.randn(*((N, S, E) if batch_first else (S, N, E)), requires_grad=True)
    tgt = torch.randn(*((N, T, E) if batch_first else (T, N, E)), requires_grad=True)
    return src, tgt


def masks():
    return {
        "tgt_mask": nn.Transformer.generate_square_subsequent_mask(T),
        "memory_mask": torch.randn(T, S) * 0.5,
        "tgt_key_padding_mask": torch.tensor([[False, False, False, True], [False, False, False, False]]),
        "memory_key_padding_mask": torch.tensor([[False, True, False, False, True], [False] * S]),
    }


def run(name, m, options, fn, batch_first, use_masks):
    src, tgt = inputs(batch_first)
    kw = masks() if use_masks else {}
    y = fn(m, src, tgt, kw)
    g = torch.randn(y.shape)
    (y * g).sum().backward()
    return {"name": name, "options": options, "masks": {k: enc(v) for k, v in kw.items()},
            "state": {k: enc(v) for k, v in m.state_dict().items()},
            "src": enc(src), "tgt": enc(tgt), "y": t(y), "yShape": list(y.shape), "g": t(g),
            "dsrc": t(src.grad) if src.grad is not None else None, "dtgt": t(tgt.grad),
            "grads": {k: t(p.grad) for k, p in m.named_parameters() if p.grad is not None}}


def decoder_layer_kw(o):
    return dict(dim_feedforward=FF, dropout=0.0, activation=o["activation"], norm_first=o["normFirst"],
                batch_first=o["batchFirst"])


cases = []
for o in [{"activation": "relu", "normFirst": False, "batchFirst": False, "masks": True},
          {"activation": "gelu", "normFirst": True, "batchFirst": True, "masks": True},
          {"activation": "relu", "normFirst": False, "batchFirst": True, "masks": False}]:
    layer = perturb(nn.TransformerDecoderLayer(E, H, **decoder_layer_kw(o))).train()
    cases.append(run(f"TransformerDecoderLayer {o}", layer, {"kind": "decoderLayer", **o},
                     lambda m, src, tgt, kw: m(tgt, src, **kw), o["batchFirst"], o["masks"]))

o = {"activation": "relu", "normFirst": False, "batchFirst": False, "masks": True, "numLayers": 2}
dec = nn.TransformerDecoder(nn.TransformerDecoderLayer(E, H, **decoder_layer_kw(o)), 2, norm=nn.LayerNorm(E))
perturb(dec).train()
cases.append(run(f"TransformerDecoder {o}", dec, {"kind": "decoder", **o},
                 lambda m, src, tgt, kw: m(tgt, src, **kw), False, True))

for o in [{"activation": "relu", "normFirst": False, "batchFirst": False, "masks": True},
          {"activation": "gelu", "normFirst": True, "batchFirst": True, "masks": True},
          {"activation": "relu", "normFirst": False, "batchFirst": False, "masks": False}]:
    m = nn.Transformer(E, H, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=FF, dropout=0.0,
                       activation=o["activation"], norm_first=o["normFirst"], batch_first=o["batchFirst"])
    perturb(m).train()

    def fwd(m, src, tgt, kw):
        if kw:
            kw = {**kw, "src_mask": torch.randn(S, S) * 0.3,
                  "src_key_padding_mask": kw["memory_key_padding_mask"]}
            fwd.kw = kw
        return m(src, tgt, **kw)
    c = run(f"Transformer {o}", m, {"kind": "transformer", **o}, fwd, o["batchFirst"], o["masks"])
    if o["masks"]:
        c["masks"] = {k: enc(v) for k, v in fwd.kw.items()}
    cases.append(c)

mask = nn.Transformer.generate_square_subsequent_mask(4)
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "transformer.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "dims": {"E": E, "H": H, "FF": FF, "S": S, "T": T, "N": N},
               "squareSubsequentMask": [v if v == 0 else "-Infinity" for v in mask.reshape(-1).tolist()],
               "cases": cases}, f)
print(f"wrote {len(cases)} cases to {os.path.normpath(path)} ({os.path.getsize(path)} bytes)")
