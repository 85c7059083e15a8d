#!/usr/bin/env bash
# The first run on a machine with an NVIDIA GPU and driver (a lent H100/H200,
# possibly without network): one self-checking script, about 10 minutes.
#
#   1. builds the project if needed, never calling apt-get (setup.sh --no-install);
#   2. prints the driver and the device (attnres-cuda-probe --describe: a
#      driver that fails to initialize is reported with its error code);
#   3. runs the GPU lit tiers (test/Integration/GPU on the device, the ptxas
#      checks, the driver stand-in tier), requiring each of them to run;
#   4. runs the GPU benchmark (bench/gpu_bench.py): f32 and bf16 fused sites
#      at the Kimi-K3 shape (9 sources, D = 7168, 8192 tokens) checked
#      against numpy, two-phase stats/merge, decode sizes T = 1..128, a Block
#      AttnRes model that checks itself, each with the fraction of the
#      device's peak memory bandwidth;
#   5. writes everything into one results file and ends with
#      `gpu-check: PASS` (status 0) or `gpu-check: FAIL` (status 1); status 2
#      when no GPU answers.
#
# Usage: scripts/gpu-check.sh [--dry-run] [--chip sm_90] [--features +ptx80] [--format isa]
#   --dry-run            without a GPU: the same steps against the driver
#                        stand-in (test/lib/CudaStandin; no kernel runs, the
#                        benchmark in --host-flow mode, only the stand-in lit
#                        tier): checks this script and the host side
#   ATTNRES_BUILD_DIR    build directory (default: <repo>/build)
#   ATTNRES_GPU_RESULTS  results file (default: <build>/gpu-check-results.md)
#   CUDA_VISIBLE_DEVICES is honoured (lit passes it on).
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${ATTNRES_BUILD_DIR:-$repo/build}
export ATTNRES_BUILD_DIR=$build_dir
results=${ATTNRES_GPU_RESULTS:-$build_dir/gpu-check-results.md}
python=/usr/bin/python3
lit=/usr/lib/llvm-22/bin/lit
started=$(date +%s)
status=0
log=$(mktemp -d "${TMPDIR:-/tmp}/attnres-gpu-check.XXXXXX")

dry_run=0
if [ "${1:-}" = "--dry-run" ]; then
  dry_run=1
  shift
fi
standin="$build_dir/test/lib/cuda-standin"
say() { echo "gpu-check: $*"; }
fail() { say "FAILED: $*"; status=1; }

# 1. Build (offline-safe).
say "building in $build_dir"
if ! CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)} \
    timeout 900 "$repo/scripts/setup.sh" --no-install > "$log/build.txt" 2>&1 ||
   ! timeout 300 cmake --build "$build_dir" --target attnres_cuda_standin mlir-doc >> "$log/build.txt" 2>&1; then
  tail -30 "$log/build.txt"
  say "FAIL (the build failed; see above)"
  exit 1
fi

# 2. Driver and device.
probe_env=()
lit_dirs=("$build_dir/test/Integration/GPU" "$build_dir/test/GPU")
required="cuda-gpu ptxas cuda-runtime cuda-standin numpy"
bench_args=()
if [ "$dry_run" = 1 ]; then
  say "dry run: the driver is the stand-in at $standin"
  probe_env=(env "LD_LIBRARY_PATH=$standin")
  lit_dirs=("$build_dir/test/GPU/Standin")
  required="ptxas cuda-runtime cuda-standin numpy"
  bench_args=(--host-flow)
fi
if ! timeout 60 "${probe_env[@]}" "$build_dir/bin/attnres-cuda-probe" --describe > "$log/device.txt" 2>&1; then
  cat "$log/device.txt"
  say "no GPU answers here (see the line above); nothing to check"
  exit 2
fi
cat "$log/device.txt"
if command -v nvidia-smi > /dev/null; then
  timeout 30 nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.memory \
    --format=csv,noheader >> "$log/device.txt" 2>&1 || true
fi

# 3. The GPU lit tiers, each required to run (no silent UNSUPPORTED).
say "running the GPU lit tiers"
if ! ATTNRES_REQUIRE_FEATURES="$required" \
    timeout 300 "$lit" -v "${lit_dirs[@]}" > "$log/lit.txt" 2>&1; then
  fail "GPU lit tiers"
fi
grep -E "^(PASS|FAIL|UNSUPPORTED|XFAIL|XPASS|UNRESOLVED|TIMEOUT):|Passed|Failed|Unsupported" "$log/lit.txt"

# 4. The benchmark.
say "running the GPU benchmark"
if ! timeout 420 "${probe_env[@]}" "$python" "$repo/bench/gpu_bench.py" --build-dir "$build_dir" \
    --results "$log/bench.md" "${bench_args[@]}" "$@" > "$log/bench.txt" 2>&1; then
  tail -20 "$log/bench.txt"
  fail "GPU benchmark"
fi

# 5. One results file.
elapsed=$(( $(date +%s) - started ))
verdict=PASS
[ "$status" = 0 ] || verdict=FAIL
{
  echo "# attnres gpu-check: $verdict$([ "$dry_run" = 1 ] && echo ' (dry run: driver stand-in, no kernel ran)')"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown), ${elapsed} s"
  echo
  echo '## Driver and device'
  echo
  echo '```'
  cat "$log/device.txt"
  echo "CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES-<unset>}"
  echo '```'
  echo
  echo '## GPU lit tiers'
  echo
  echo '```'
  grep -E "^(PASS|FAIL|UNSUPPORTED|XFAIL|XPASS|UNRESOLVED|TIMEOUT):|Passed|Failed|Unsupported|required test tiers" "$log/lit.txt"
  grep -A40 "^FAIL:" "$log/lit.txt" | head -200
  echo '```'
  echo
  echo '## Benchmark'
  echo
  if [ -f "$log/bench.md" ]; then cat "$log/bench.md"; else echo '```'; tail -40 "$log/bench.txt"; echo '```'; fi
} > "$results"
say "results in $results (logs in $log)"
say "$verdict (${elapsed} s)"
exit "$status"
