#!/usr/bin/env bash
# Cross-compiles the core and the native tests (test/native/*_test.cpp, no Node addon) for
# arm64 Linux and runs them under qemu-aarch64, so the NEON kernels are checked against the
# scalar ones on an x86-64 machine. Needs (Debian/Ubuntu): g++-aarch64-linux-gnu qemu-user.
#   scripts/test_neon.sh [build-dir]        (default build-aarch64)
# MYELIN_QEMU_CPU picks the emulated CPU (default: qemu's "max").
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-aarch64}"

for tool in aarch64-linux-gnu-g++ qemu-aarch64 cmake; do
  if ! command -v "$tool" >/dev/null; then
    echo "test_neon.sh: $tool not found (apt-get install g++-aarch64-linux-gnu qemu-user cmake)" >&2
    exit 2
  fi
done

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake >/dev/null
cmake --build "$build" --parallel "$(nproc)"

status=0
for src in test/native/*_test.cpp; do
  name="$(basename "$src" .cpp)"
  echo "== $name (qemu-aarch64)"
  if ! MYELIN_ISA=neon qemu-aarch64 -cpu "${MYELIN_QEMU_CPU:-max}" -L /usr/aarch64-linux-gnu "$build/$name"; then
    status=1
  fi
done
exit $status
