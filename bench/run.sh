#!/usr/bin/env bash
# attnres CPU benchmarks: set up and build (scripts/setup.sh), then run the
# harness, which writes docs/benchmarks.md. Extra arguments go to the harness
# (e.g. --quick, --reps 21, --output /tmp/b.md).
# Optional peers (torch eager, torch.compile, IREE) are measured when the
# harness's Python has them; each is skipped with its reason otherwise:
#   python3 -m venv ~/attnres-peers
#   ~/attnres-peers/bin/pip install numpy torch==2.15.0 \
#       iree-base-compiler==3.13.0 iree-base-runtime==3.13.0
#   ATTNRES_BENCH_PYTHON=~/attnres-peers/bin/python bench/run.sh
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$repo/scripts/setup.sh"
# glibc's allocator defaults, as a user's process has them: the compiled
# models plan their intermediates into arenas (attnres-plan-buffers); the
# "memory" part measures the unplanned models with and without
# MALLOC_MMAP_MAX_=0 in child processes.
exec "${ATTNRES_BENCH_PYTHON:-/usr/bin/python3}" "$repo/bench/attnres_bench.py" \
  --build-dir "${ATTNRES_BUILD_DIR:-$repo/build}" "$@"
