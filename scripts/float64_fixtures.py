"""What the float64 fixture scripts (scripts/gen_fixtures_float64_*.py) share: a random float64
tensor from torch's seeded generator, a tensor's JSON encoding (test/helpers/fixtures.ts decodes
it), and writing test/fixtures/NAME.json with the torch version first. Import it from a script in
scripts/ (python puts the script's folder on sys.path)."""
import json
import os

import torch


def r(*shape):
    return torch.randn(shape, dtype=torch.float64)


def enc(t):
    return {"shape": list(t.shape), "data": t.detach().reshape(-1).tolist()}


def write_fixture(name, payload, what):
    """Writes {"torch": version, **payload} to test/fixtures/<name>.json; `what` says what it holds."""
    path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", name + ".json")
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, **payload}, f)
        f.write("\n")
    print(f"wrote {what} to {os.path.normpath(path)}")
