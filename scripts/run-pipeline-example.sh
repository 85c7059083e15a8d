#!/usr/bin/env bash
# attnres: split the pipeline example over MPI ranks and run it.
#
#   1. scripts/setup.sh (installs packages incl. mpich/libmpich-dev, builds)
#   2. attnres-stage-traffic         prints the per-hop block traffic (naive vs cached)
#   3. the unpartitioned program     --attnres-to-llvm, clang-22, one process
#   4. the partitioned program       --attnres-pipeline-partition, --attnres-to-llvm,
#                                    clang-22 with -lmpich and scripts/mpi_send_counter.c
#                                    (PMPI: bytes each rank sent), mpirun -np P
#   5. both outputs against the numpy reference (attnres_gen.py --verify-output), and
#      the bytes each rank sent against the analysis
#
# Usage: scripts/run-pipeline-example.sh [EXAMPLE.mlir]  (default: examples/pipeline_attnres.mlir)
#   P and V come from the example's header (attnres_gen.py --stages/--virtual-stages).
#   ATTNRES_BUILD_DIR   build directory (default: <repo>/build)
#   ATTNRES_PARTITION   extra options for the partition pass (e.g. "reuse-own-blocks=true")
# Exits non-zero if any step fails, the output is off the reference or the traffic differs.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${ATTNRES_BUILD_DIR:-$repo/build}
example=${1:-$repo/examples/pipeline_attnres.mlir}
extra=${ATTNRES_PARTITION:-}
llvm_lib=/usr/lib/llvm-22/lib
python=/usr/bin/python3
opt="$build_dir/bin/attnres-opt"

"$repo/scripts/setup.sh"

args=$(sed -n 's|^// attnres_gen.py args:||p' "$example")
stages=$(sed -n 's/.*--stages \([0-9]*\).*/\1/p' <<<"$args")
virtual=$(sed -n 's/.*--virtual-stages \([0-9]*\).*/\1/p' <<<"$args")
if [ -z "$stages" ]; then
  echo "run-pipeline-example: $example has no --stages in its header" >&2
  exit 1
fi
virtual=${virtual:-1}
options=$(echo stages=$stages virtual-stages=$virtual $extra)
mpirun=$(command -v mpirun.mpich || command -v mpirun)
mpi_cflags=$(pkg-config --cflags mpich)
cc=(clang-22 -O1 -Wno-override-module -L"$llvm_lib" -Wl,-rpath,"$llvm_lib")
libs=(-lmlir_runner_utils -lmlir_c_runner_utils -lmlir_float16_utils -lomp -lm)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "run-pipeline-example: traffic of $example ($options)"
# The remark is the table; drop the source line the diagnostic handler echoes.
"$opt" "$example" --pass-pipeline="builtin.module(func.func(attnres-stage-traffic{$options}))" \
  -o "$work/traffic.mlir" 2>&1 | sed -e 's/^.*remark: //' -e '/^$/,$d'

echo "run-pipeline-example: unpartitioned program, one process"
"$opt" "$example" --attnres-to-llvm | mlir-translate-22 --mlir-to-llvmir > "$work/seq.ll"
"${cc[@]}" "$work/seq.ll" -o "$work/seq" "${libs[@]}"
OMP_NUM_THREADS=1 "$work/seq" > "$work/seq.txt"
"$python" "$repo/scripts/attnres_gen.py" --verify-output "$example" "$work/seq.txt" | tail -3

echo "run-pipeline-example: partitioned program, mpirun -np $stages"
"$opt" "$example" --attnres-pipeline-partition="$options" --attnres-to-llvm \
  | mlir-translate-22 --mlir-to-llvmir > "$work/par.ll"
"${cc[@]}" $mpi_cflags "$work/par.ll" "$repo/scripts/mpi_send_counter.c" -o "$work/par" \
  "${libs[@]}" -lmpich
OMP_NUM_THREADS=1 timeout 300 "$mpirun" -np "$stages" "$work/par" > "$work/par.txt" 2> "$work/par.err"
cat "$work/par.txt"
"$python" "$repo/scripts/attnres_gen.py" --verify-output "$example" "$work/par.txt" | tail -3

echo "run-pipeline-example: bytes each rank sent (PMPI count at run time)"
sort "$work/par.err"
predicted=$(grep -o 'cached_bytes_per_rank = array<i64: [0-9, ]*>' "$work/traffic.mlir" \
  | sed -e 's/.*: //' -e 's/>//' -e 's/,//g')
measured=$(sort "$work/par.err" | sed -n 's/^rank [0-9]* sent \([0-9]*\) bytes.*/\1/p' | tr '\n' ' ')
echo "predicted by attnres-stage-traffic: $predicted"
echo "measured:                           $measured"
if [ "$(echo $predicted)" != "$(echo $measured)" ]; then
  echo "run-pipeline-example: the measured traffic differs from the analysis" >&2
  exit 1
fi
echo "run-pipeline-example: PASS"
