#!/usr/bin/env bash
# On a machine with an NVIDIA GPU and driver: set up, run the whole suite
# (the `cuda-gpu` tier under test/Integration/GPU runs there), then the GPU
# benchmark and the kernel report, both written into docs/benchmarks.md.
# Without a GPU the suite still runs (GPU tests report UNSUPPORTED) and the
# benchmark stops with a message.
#
# Usage: scripts/gpu-check.sh [--chip sm_90]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${ATTNRES_BUILD_DIR:-$repo/build}
"$repo/scripts/test.sh"
"$build_dir/bin/attnres-cuda-probe" || { echo "gpu-check: no GPU here; suite done, skipping the GPU benchmark"; exit 0; }
/usr/bin/python3 "$repo/bench/gpu_bench.py" --build-dir "$build_dir" "$@"
/usr/bin/python3 "$repo/scripts/gpu_kernel_report.py" report --build-dir "$build_dir"
