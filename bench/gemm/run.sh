#!/usr/bin/env bash
# GEMM benchmark (workloads G1, G2; D1: G1 in float64): myelin's sgemm (dgemm) on each x86 ISA
# beside OpenBLAS, at 1 and 2 threads, with the FMA peak measured in the same run. Needs cmake,
# g++ and Debian's libopenblas-dev. Arguments go to gemm_bench (--threads 1,2 --reps 7
# --workloads G1,G2,D1 --markdown). BUILD_DIR picks the CMake build folder (default build-bench).
set -euo pipefail
cd "$(dirname "$0")/../.."
build="${BUILD_DIR:-build-bench}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target gemm_bench -j2 >/dev/null
if [ ! -x "$build/gemm_bench" ]; then
  echo "gemm_bench was not built: is libopenblas-dev (cblas.h, libopenblas.so) installed?" >&2
  exit 1
fi
# OpenBLAS picks its kernels and blocking from the CPU itself: no overrides for this command.
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$build/gemm_bench" "$@"
