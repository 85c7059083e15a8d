#!/usr/bin/env bash
# Fuzz the attnres parser/verifier and passes with libFuzzer (tools/attnres-fuzz):
# builds an instrumented tree (ATTNRES_ENABLE_FUZZING=ON: coverage + ASan/UBSan
# on attnres's code) in build-fuzz/, seeds the corpus from the test suite
# (scripts/fuzz_seeds.py) and runs the target.
#
# Usage: scripts/fuzz.sh [--smoke] [--time SECONDS] [-- extra libFuzzer flags]
#   --smoke        a short deterministic run (-seed=1, 120 s): what CI runs
#   --time S       run for S seconds (default 3600)
#   ATTNRES_FUZZ_BUILD_DIR  build directory (default <repo>/build-fuzz)
# A crash, abort (LLVM ERROR), sanitizer report or an input taking over 60 s
# stops the run with a non-zero exit; the input is saved in build-fuzz/fuzz-artifacts/.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${ATTNRES_FUZZ_BUILD_DIR:-$repo/build-fuzz}
time=3600
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) time=120; extra+=(-seed=1); shift ;;
    --time) time=$2; shift 2 ;;
    --) shift; extra+=("$@"); break ;;
    *) echo "fuzz.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
"$repo/scripts/setup.sh" --no-build
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir -DLLVM_DIR=/usr/lib/llvm-22/lib/cmake/llvm \
    -DPython3_EXECUTABLE=/usr/bin/python3 \
    -DATTNRES_ENABLE_FUZZING=ON -DATTNRES_ENABLE_PYTHON_BINDINGS=OFF
fi
cmake --build "$build" --target attnres-fuzz
rm -rf "$build/fuzz-seeds"
/usr/bin/python3 "$repo/scripts/fuzz_seeds.py" "$build/fuzz-seeds"
mkdir -p "$build/fuzz-corpus" "$build/fuzz-artifacts"
# MLIR keeps registrations in process-lifetime statics: no leak reports.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec "$build/bin/attnres-fuzz" -max_total_time="$time" -timeout=60 -rss_limit_mb=6144 \
  -max_len=262144 -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/" \
  "${extra[@]}" "$build/fuzz-corpus" "$build/fuzz-seeds"
