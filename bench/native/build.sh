#!/usr/bin/env sh
# Builds the L1 limits program (bench/native/limits.c) into bench/native/build/limits.
# -march=native is fine here: a bench tool for this machine, never shipped.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/build"
${CC:-cc} -std=c11 -O3 -march=native -pthread -Wall -Wextra -o "$here/build/limits" "$here/limits.c"
echo "$here/build/limits"
