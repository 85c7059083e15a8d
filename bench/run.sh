#!/usr/bin/env bash
# attnres CPU benchmarks: set up and build (scripts/setup.sh), then run the
# harness, which writes docs/benchmarks.md. Extra arguments go to the harness
# (e.g. --quick, --reps 21, --output /tmp/b.md).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$repo/scripts/setup.sh"
exec /usr/bin/python3 "$repo/bench/attnres_bench.py" \
  --build-dir "${ATTNRES_BUILD_DIR:-$repo/build}" "$@"
