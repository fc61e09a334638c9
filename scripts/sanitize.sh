#!/usr/bin/env bash
# The native code under AddressSanitizer and UndefinedBehaviorSanitizer (GCC's runtimes):
# the core, its native tests (test/native/*_test.cpp) and the addon built with
# -fsanitize=address,undefined (CMakeLists.txt: MYELIN_SANITIZE), then the native tests and a
# part of the JS suite run against that addon. Any report fails the run: ASan aborts on the first
# error, UBSan too (halt_on_error), and LeakSanitizer checks the native tests (not Node, whose
# own allocations live until exit).
#   bash scripts/sanitize.sh            build in build-sanitize/, run everything
#   SANITIZE_TESTS='test/a.test.ts ...' bash scripts/sanitize.sh   another JS part
# Needs cmake, g++ (with libasan and libubsan: Debian's libgcc-12-dev), make.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build-sanitize

# The JS part: every raw-binding test (each kernel family on every ISA and thread count, the
# hostile-argument sweep, the memory races, the allocation failures in thread-pool regions,
# workers, the reduced-precision GEMMs and quantization), and above them the ops on offset and
# strided views, convolution and pooling layers, recurrent layers, gradcheck, a training run,
# bf16 matmul, and the IDX and safetensors readers. isa_isolation reads the release build's
# object files, not this addon's: it is left out.
default_tests="test/native/alloc_failure.test.ts test/native/arg_reduce.test.ts test/native/binary.test.ts
  test/native/binding_errors.test.ts test/native/binding_surface.test.ts test/native/conv.test.ts
  test/native/env.test.ts test/native/gemm.test.ts test/native/gemm_lowp.test.ts test/native/hostile_sweep.test.ts
  test/native/memory_races.test.ts test/native/norm.test.ts test/native/optim.test.ts test/native/quantize.test.ts
  test/native/reduce.test.ts test/native/resample.test.ts test/native/rnn.test.ts
  test/native/softmax.test.ts test/native/threadpool.test.ts test/native/unary.test.ts
  test/native/workers.test.ts test/ops/conv.test.ts test/ops/pool.test.ts test/ops/offset_views.test.ts
  test/nn/cnn_layers.test.ts test/nn/rnn.test.ts test/autograd/gradcheck.test.ts test/optim/training.test.ts
  test/io/idx.test.ts test/io/safetensors.test.ts test/lowp/bf16.test.ts"
tests=${SANITIZE_TESTS:-$default_tests}

# -O1: a quarter of -O3's build time under the sanitizers, and fast enough for the tests.
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" \
  -DMYELIN_SANITIZE=address,undefined "-DCMAKE_JS_INC=$(node -p "require('node-api-headers').include_dir")" >/dev/null
tests_cpp=()
for src in test/native/*_test.cpp; do tests_cpp+=("$(basename "$src" .cpp)"); done
cmake --build "$dir" -j "$(nproc)" --target myelin "${tests_cpp[@]}" >/dev/null

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
for t in "${tests_cpp[@]}"; do
  echo "sanitize: $t"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1 "$dir/$t"
done

# Node is not instrumented: the ASan runtime is preloaded so that it comes first, as it must.
# The 1 s per call limit of the hostile sweep allows for ASan's slowdown (about 2x).
libasan=$(gcc -print-file-name=libasan.so)
echo "sanitize: the JS tests against $dir/myelin.node"
# shellcheck disable=SC2086
LD_PRELOAD="$libasan" ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:allocator_may_return_null=1 MYELIN_ADDON="$dir/myelin.node" \
  npx vitest run $tests
echo "sanitize: clean"
