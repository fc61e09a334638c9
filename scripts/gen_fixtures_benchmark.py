"""torch.utils.benchmark from PyTorch 1.13: Measurement statistics (median, mean, IQR,
significant figures), Measurement's repr and Compare's tables (plain, trimmed, coloured,
highlighted) for fixed samples of times.
Run: /usr/bin/python3 scripts/gen_fixtures_benchmark.py (writes test/fixtures/benchmark.json;
test/utils/benchmark/common.test.ts and compare.test.ts replay it)."""
import json
import os

import numpy as np
from torch.utils.benchmark import Compare
from torch.utils.benchmark.utils.common import Measurement, TaskSpec

rng = np.random.default_rng(0)


def sample(n, median, spread):
    """n run times around median (seconds) with a relative spread, rounded to whole nanoseconds."""
    return [float(round(t * 1e9) / 1e9) for t in median * (1 + spread * rng.standard_normal(n)).clip(0.2)]


def spec(d):
    return TaskSpec(
        stmt=d["stmt"],
        setup=d.get("setup", ""),
        label=d.get("label"),
        sub_label=d.get("subLabel"),
        description=d.get("description"),
        env=d.get("env"),
        num_threads=d.get("numThreads", 1),
    )


def measurement(d):
    return Measurement(number_per_run=d["numberPerRun"], raw_times=d["rawTimes"], task_spec=spec(d["taskSpec"]))


def repr_body(m):
    # The first line is Python's object address; the rest is what myelin prints too.
    return repr(m).split("\n", 1)[1]


singles = [
    {"numberPerRun": 100, "rawTimes": sample(372, 5.7e-4, 0.3),
     "taskSpec": {"stmt": "x + y", "label": "Broadcasting add (4x8)"}},
    {"numberPerRun": 1000, "rawTimes": sample(20, 2.5e-3, 0.01), "taskSpec": {"stmt": "x.relu()"}},
    {"numberPerRun": 10, "rawTimes": sample(1, 3.2e-2, 0.0), "taskSpec": {"stmt": "f(x)", "subLabel": "float"}},
    {"numberPerRun": 1, "rawTimes": sample(3, 1.5, 0.05),
     "taskSpec": {"stmt": "a()\nb()", "setup": "x = 1", "subLabel": "two", "numThreads": 2}},
    {"numberPerRun": 7, "rawTimes": sample(9, 8.0e-8, 0.15),
     "taskSpec": {"stmt": "g()", "label": "tiny", "subLabel": "s", "description": "n=1", "setup": "p\nq"}},
    {"numberPerRun": 3, "rawTimes": sample(4, 4.0e-5, 0.02), "taskSpec": {"stmt": "h()", "numThreads": 4}},
]
for s in singles:
    m = measurement(s)
    s["expected"] = {
        "median": m.median, "mean": m.mean, "iqr": m.iqr, "significantFigures": m.significant_figures,
        "hasWarnings": m.has_warnings, "repr": repr_body(m),
    }

grid = []
for label, base in (("relu", 2e-5), ("matmul", 3e-3)):
    for threads in (1, 2):
        for sub in ("float", "int"):
            for n, size in ((64, 1), (256, 4), (1024, 16)):
                if label == "matmul" and sub == "int" and n == 1024:
                    continue  # a missing cell
                t = base * size / threads * (1.5 if sub == "int" else 1)
                spread = 0.3 if (n == 256 and sub == "int") else 0.02
                grid.append({"numberPerRun": 10, "rawTimes": sample(12, t * 10, spread),
                             "taskSpec": {"stmt": f"{label}(x)", "label": label, "subLabel": sub,
                                          "description": f"n={n}", "numThreads": threads}})
# A replicate of one task, merged by Compare.
grid.append({"numberPerRun": 5, "rawTimes": sample(6, 2e-5 * 5, 0.02),
             "taskSpec": {"stmt": "relu(x)", "label": "relu", "subLabel": "float", "description": "n=64",
                          "numThreads": 1}})
envs = [{"numberPerRun": 1, "rawTimes": sample(8, 1e-3 * k * kk, 0.01),
         "taskSpec": {"stmt": "s()", "label": "A/B", "subLabel": "s", "description": d, "env": env}}
        for env, k in (("before", 1.0), ("after", 0.8)) for d, kk in (("small", 1), ("large", 3))]

def table(results, setup):
    c = Compare([measurement(r) for r in results])
    for step in setup:
        if step == "trim":
            c.trim_significant_figures()
        elif step == "colorize":
            c.colorize()
        elif step == "rowwise":
            c.colorize(rowwise=True)
        elif step == "highlight":
            c.highlight_warnings()
    return str(c)

compares = []
for name, results in (("grid", grid), ("envs", envs)):
    for setup in ([], ["trim"], ["colorize"], ["rowwise", "trim"], ["highlight"], ["highlight", "trim", "colorize"]):
        compares.append({"results": name, "setup": setup, "expected": table(results, setup)})

out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "benchmark.json")
with open(out, "w") as f:
    json.dump({"singles": singles, "sets": {"grid": grid, "envs": envs}, "compares": compares}, f, indent=1)
    f.write("\n")
print(out)
