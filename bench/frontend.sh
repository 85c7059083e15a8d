#!/usr/bin/env bash
# The frontend benchmark (bench/frontend_bench.py): the same PyTorch source as
# torch-mlir linalg raised and not, torch.compile and eager PyTorch, next to
# the streaming loop -> a section of docs/benchmarks.md. Needs a Python with
# torch and torch-mlir (docs/frontends.md): ATTNRES_TORCH_PYTHON=V/bin/python.
# Extra arguments go to the harness (e.g. --quick, --output /tmp/b.md).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
py=${ATTNRES_TORCH_PYTHON:-python3}
if ! "$py" -c "import torch, torch_mlir.fx" 2>/dev/null; then
  echo "bench/frontend.sh: $py cannot import torch and torch_mlir; install them with" >&2
  echo "  python3 -m venv V && V/bin/pip install torch==2.15.0 torch-mlir==20261001 ml_dtypes numpy" >&2
  echo "and run ATTNRES_TORCH_PYTHON=V/bin/python $0" >&2
  exit 1
fi
"$repo/scripts/setup.sh"
# As bench/run.sh: keep freed memory in the heap (every route allocates its results).
export MALLOC_MMAP_MAX_=${MALLOC_MMAP_MAX_:-0}
export MALLOC_TRIM_THRESHOLD_=${MALLOC_TRIM_THRESHOLD_:-68719476736}
# PyTorch's OpenMP (libgomp) threads spin after each call and would take the
# cores from the next route in the round: let them sleep at once.
export GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-0}
exec "$py" "$repo/bench/frontend_bench.py" --build-dir "${ATTNRES_BUILD_DIR:-$repo/build}" "$@"
