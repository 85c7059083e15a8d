#!/usr/bin/env bash
# attnres: set up everything (system packages, configure, build) and run the
# whole test suite (`check-attnres`: lit + FileCheck, integration tests).
#
# Usage: scripts/test.sh [extra lit args, e.g. -v or --filter=Integration]
#   ATTNRES_BUILD_DIR   build directory (default: <repo>/build)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${ATTNRES_BUILD_DIR:-$repo/build}

"$repo/scripts/setup.sh"
if [ $# -gt 0 ]; then
  export LIT_OPTS="$*"
fi
cmake --build "$build_dir" --target check-attnres
