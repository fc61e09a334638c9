"""What the integer fixture scripts (scripts/gen_fixtures_int8.py, scripts/gen_fixtures_intops.py)
share: the dtype names test/helpers/fixtures.ts reads and a tensor's JSON encoding. Import it from a
script in scripts/ (python puts the script's folder on sys.path)."""
import torch

NAMES = {
    torch.int8: "int8",
    torch.uint8: "uint8",
    torch.int16: "int16",
    torch.int32: "int32",
    torch.int64: "int64",
    torch.float32: "float32",
    torch.float64: "float64",
    torch.bfloat16: "bfloat16",
    torch.bool: "bool",
}


def enc(t, negative_zero=False):
    """A tensor as {"shape", "dtype", "data"} (lists element-wise, anything else as it is). JSON has no
    infinities or NaN: those become strings, and so does -0.0 where `negative_zero` asks to keep its
    sign (the division fixtures test it; the int8 fixtures were written without it)."""
    if isinstance(t, list):
        return [enc(x, negative_zero) for x in t]
    if not isinstance(t, torch.Tensor):
        return t
    vals = t.reshape(-1).tolist()
    if t.dtype == torch.bool:
        vals = [int(v) for v in vals]
    if t.dtype.is_floating_point:
        vals = [v if v == v and abs(v) != float("inf") and not (negative_zero and v == 0 and str(v)[0] == "-") else str(v) for v in vals]
    return {"shape": list(t.shape), "dtype": NAMES[t.dtype], "data": vals}
