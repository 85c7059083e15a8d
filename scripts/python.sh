#!/usr/bin/env bash
# Runs Debian's python3 (the interpreter the build targets) with the attnres
# Python package from the build directory on the path:
#   scripts/python.sh                  # interactive: >>> import attnres
#   scripts/python.sh my_script.py
# The normal build (scripts/setup.sh, or ninja -C build) assembles the package
# in <build>/python_packages/attnres.
#   ATTNRES_BUILD_DIR   build directory (default: <repo>/build)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
packages=${ATTNRES_BUILD_DIR:-$repo/build}/python_packages
if [ ! -f "$packages/attnres/__init__.py" ]; then
  echo "python.sh: no attnres package in $packages; build first (scripts/setup.sh)" >&2
  exit 1
fi
export PYTHONPATH="$packages${PYTHONPATH:+:$PYTHONPATH}"
exec /usr/bin/python3 "$@"
