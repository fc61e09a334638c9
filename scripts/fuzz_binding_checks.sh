#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer, clang) of the binding's argument checks (binding/checks.h:
# the integer, size, view and overlap arithmetic every argument reader relies on), under
# AddressSanitizer and UndefinedBehaviorSanitizer: test/fuzz/binding_checks_fuzz.cpp compares
# each check's answer with an independent oracle. A wrong answer, an overflow or any other
# undefined behaviour stops the run with the input that caused it (build-fuzz/crash-*).
#   bash scripts/fuzz_binding_checks.sh [SECONDS]     (default 60)
# Needs clang++ and its libFuzzer runtime (Debian: clang, libclang-rt-14-dev or the version of
# the installed clang). The corpus it grows is kept in build-fuzz/corpus for the next run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
dir=build-fuzz
cxx=${FUZZ_CXX:-clang++}
mkdir -p "$dir/corpus"
"$cxx" -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Inative/src \
  test/fuzz/binding_checks_fuzz.cpp native/src/binding/checks.cpp -o "$dir/binding_checks_fuzz"
echo "fuzz: binding checks for $seconds s"
# -use_value_profile: guides the search by how close each compare came (the overflow bounds).
"$dir/binding_checks_fuzz" -max_total_time="$seconds" -use_value_profile=1 -print_final_stats=1 \
  -artifact_prefix="$dir/" "$dir/corpus" 2>"$dir/fuzz.log" || {
  tail -40 "$dir/fuzz.log"
  echo "fuzz: FAILED (the input is in $dir/crash-* or $dir/*-*)"
  exit 1
}
grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$dir/fuzz.log" | sed 's/^/fuzz: /'
echo "fuzz: clean"
