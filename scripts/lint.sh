#!/usr/bin/env bash
# Lint and format check: Biome for TypeScript/JavaScript/JSON (biome.json), clang-format for C++
# (.clang-format). `bash scripts/lint.sh --fix` rewrites the files instead of failing.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t cpp < <(git ls-files '*.cpp' '*.h' '*.inl' '*.c' | grep -v '^test/fixtures/')
if [ "${1:-}" = "--fix" ]; then
  npx biome check --write .
  clang-format -i "${cpp[@]}"
  exit 0
fi
npx biome check .
if command -v clang-format >/dev/null; then
  clang-format --dry-run --Werror "${cpp[@]}"
  echo "lint: clang-format clean (${#cpp[@]} files)"
else
  echo "lint: clang-format not installed (Debian: apt install clang-format); C++ format check SKIPPED" >&2
  [ -z "${CI_REQUIRE_CLANG_FORMAT:-}" ] || exit 1
fi
