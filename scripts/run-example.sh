#!/usr/bin/env bash
# attnres: build the project, run the Block AttnRes example on the CPU and check its
# output against the independent numpy reference.
#
#   1. scripts/setup.sh: installs the system packages and builds (idempotent)
#   2. attnres-opt EXAMPLE --attnres-to-llvm       (attnres -> linalg -> LLVM dialect)
#   3. mlir-runner-22 -e main                        (JIT; @main prints the output memref)
#   4. scripts/attnres_gen.py --verify-output        (re-derives the model from the seed in
#      the example's header, computes the float64 reference, compares got vs expected)
#
# Usage: scripts/run-example.sh [EXAMPLE.mlir]   (default: examples/block_attnres.mlir)
#   ATTNRES_BUILD_DIR   build directory (default: <repo>/build)
# Exits non-zero if any step fails or the output is off the reference.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${ATTNRES_BUILD_DIR:-$repo/build}
example=${1:-$repo/examples/block_attnres.mlir}
llvm_bin=/usr/lib/llvm-22/bin
llvm_lib=/usr/lib/llvm-22/lib
python=/usr/bin/python3  # Debian's interpreter: setup.sh installs python3-numpy for it

"$repo/scripts/setup.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "run-example: lowering $example with --attnres-to-llvm"
"$build_dir/bin/attnres-opt" "$example" --attnres-to-llvm -o "$work/example.llvm.mlir"

runner=$(command -v mlir-runner-22 || echo "$llvm_bin/mlir-runner")
echo "run-example: running @main with $runner"
"$runner" "$work/example.llvm.mlir" -e main -entry-point-result=void \
  -shared-libs="$llvm_lib/libmlir_runner_utils.so,$llvm_lib/libmlir_c_runner_utils.so,$llvm_lib/libomp.so" \
  > "$work/output.txt"
cat "$work/output.txt"

echo "run-example: checking the output against the numpy reference"
"$python" "$repo/scripts/attnres_gen.py" --verify-output "$example" "$work/output.txt"
