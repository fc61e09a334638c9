"""L-BFGS iterates from PyTorch 1.13 (torch.optim.LBFGS) on small problems: every point at which
the closure is evaluated (parameters and loss, in call order) and the parameters after each
step(), for the fixed-step and the strong-Wolfe variants.
Run: /usr/bin/python3 scripts/gen_fixtures_lbfgs.py (writes test/fixtures/lbfgs.json;
test/optim/lbfgs.test.ts replays it)."""
import json
import os

import torch

torch.manual_seed(0)
torch.set_num_threads(1)


def rosenbrock(p):
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


A = torch.randn(20, 5)
b = torch.randn(20)


def least_squares(p):
    return ((A @ p - b) ** 2).mean()


def run(name, fn, x0, steps, options, dtype=torch.float32):
    p = torch.tensor(x0, dtype=dtype, requires_grad=True)
    opt = torch.optim.LBFGS([p], **options)
    evals = []

    def closure():
        opt.zero_grad()
        loss = fn(p)
        loss.backward()
        evals.append({"x": p.detach().tolist(), "loss": loss.item()})
        return loss

    after = []
    returned = []
    for _ in range(steps):
        returned.append(float(opt.step(closure)))
        after.append(p.detach().tolist())
    state = opt.state[p]
    return {"name": name, "problem": fn.__name__, "dtype": str(dtype).replace("torch.", ""), "x0": x0,
            "steps": steps, "options": options,
            "evals": evals, "after": after, "returned": returned,
            "funcEvals": state["func_evals"], "nIter": state["n_iter"]}


cases = []
for ls in (None, "strong_wolfe"):
    tag = ls or "fixed step"
    cases.append(run(f"rosenbrock, {tag}, one long step", rosenbrock, [-1.5, 2.0], 1,
                     {"lr": 1 if ls else 0.002, "max_iter": 60, "line_search_fn": ls}))
    cases.append(run(f"rosenbrock, {tag}, short steps", rosenbrock, [-1.2, 1.0], 8,
                     {"lr": 1 if ls else 0.002, "max_iter": 4, "history_size": 3, "line_search_fn": ls}))
    cases.append(run(f"least squares, {tag}", least_squares, [0.0] * 5, 3,
                     {"lr": 1 if ls else 0.5, "max_iter": 10, "line_search_fn": ls}))
cases.append(run("least squares, max_eval 7, tolerance_grad 1e-3", least_squares, [0.5] * 5, 2,
                 {"max_iter": 20, "max_eval": 7, "tolerance_grad": 1e-3, "line_search_fn": "strong_wolfe"}))
cases.append(run("rosenbrock, tolerance_change 1e-4", rosenbrock, [0.0, 0.0], 1,
                 {"max_iter": 100, "tolerance_change": 1e-4, "line_search_fn": "strong_wolfe"}))

# float64: the same problems in double (A and b widened), every scalar a 0-d double tensor.
A32, b32 = A, b
A, b = A32.double(), b32.double()
for ls in (None, "strong_wolfe"):
    tag = ls or "fixed step"
    cases.append(run(f"float64 rosenbrock, {tag}, short steps", rosenbrock, [-1.2, 1.0], 8,
                     {"lr": 1 if ls else 0.002, "max_iter": 4, "history_size": 3, "line_search_fn": ls},
                     torch.float64))
    cases.append(run(f"float64 least squares, {tag}", least_squares, [0.0] * 5, 3,
                     {"lr": 1 if ls else 0.5, "max_iter": 10, "line_search_fn": ls}, torch.float64))
A, b = A32, b32

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "lbfgs.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "A": A.tolist(), "b": b.tolist(), "cases": cases}, f)
print(f"wrote {len(cases)} cases to {os.path.normpath(path)}")
for c in cases:
    print(c["name"], len(c["evals"]), "evals; final", c["after"][-1], "loss", c["evals"][-1]["loss"])
