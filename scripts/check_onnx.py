#!/usr/bin/python3
"""Runs the ONNX checker (Debian's python3-onnx) over every model the exporter's tests export.

  /usr/bin/python3 scripts/check_onnx.py [DIR]

Runs `npx vitest run test/onnx` with MYELIN_ONNX_KEEP=DIR (a temporary folder if none is given),
so test/onnx/ort_check.ts keeps each exported model (the layer sweep, the Fashion-MNIST CNN, the
LSTM text classifier, ...), then checks each with onnx.checker.check_model(full_check=True), which
also runs ONNX's shape inference. Exits non-zero if any model fails or none was exported.
"""
import glob
import os
import subprocess
import sys
import tempfile

import onnx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def check(folder):
    env = dict(os.environ, MYELIN_ONNX_KEEP=folder)
    subprocess.run(["npx", "vitest", "run", "test/onnx"], cwd=ROOT, env=env, check=True)
    files = sorted(glob.glob(os.path.join(folder, "*.onnx")))
    if not files:
        raise SystemExit("check_onnx: the tests exported no models")
    failed = []
    for path in files:
        try:
            onnx.checker.check_model(onnx.load(path), full_check=True)
        except Exception as e:  # the checker raises several error types
            failed.append((os.path.basename(path), str(e).splitlines()[0]))
    for name, message in failed:
        print(f"check_onnx: {name}: {message}")
    print(f"check_onnx: {len(files) - len(failed)} passed, {len(failed)} failed (onnx {onnx.__version__})")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        os.makedirs(sys.argv[1], exist_ok=True)
        check(sys.argv[1])
    else:
        with tempfile.TemporaryDirectory() as d:
            check(d)
