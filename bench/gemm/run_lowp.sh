#!/usr/bin/env bash
# Reduced-precision GEMM benchmark (workloads B1 and Q1's GEMMs): myelin's bf16 and int8 GEMMs
# beside its fp32 GEMM, with the fp32, bf16 and int8 peaks measured in the same run. Needs cmake
# and g++, and a CPU with AVX512_BF16 and AVX512_VNNI (on an AVX2 CPU it runs Q1 only: the
# vpmaddubsw kernel against fp32 and the fp32 path it replaced). Arguments go to lowp_bench
# (--threads 1,2 --reps 7 --workloads B1,Q1 --sizes 256,512,1024,2048 --markdown --clock
# wall|cpu). BUILD_DIR picks the CMake build folder (default build-bench).
set -euo pipefail
cd "$(dirname "$0")/../.."
build="${BUILD_DIR:-build-bench}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target lowp_bench -j2 >/dev/null
exec "$build/lowp_bench" "$@"
