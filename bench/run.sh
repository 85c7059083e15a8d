#!/usr/bin/env bash
# attnres CPU benchmarks: set up and build (scripts/setup.sh), then run the
# harness, which writes docs/benchmarks.md. Extra arguments go to the harness
# (e.g. --quick, --reps 21, --output /tmp/b.md).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$repo/scripts/setup.sh"
# The generated code allocates a fresh buffer per intermediate tensor. glibc
# serves big blocks with mmap and returns them on free, so every op would
# first-touch (page-fault and zero) its output: keep freed memory in the heap
# for reuse, as a caching allocator does.
export MALLOC_MMAP_MAX_=${MALLOC_MMAP_MAX_:-0}
export MALLOC_TRIM_THRESHOLD_=${MALLOC_TRIM_THRESHOLD_:-68719476736}
exec /usr/bin/python3 "$repo/bench/attnres_bench.py" \
  --build-dir "${ATTNRES_BUILD_DIR:-$repo/build}" "$@"
