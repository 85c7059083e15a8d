#!/usr/bin/env bash
# attnres setup: installs every system package the project needs (by name, idempotent,
# skipping what is present), then configures and builds the project with Ninja.
#
# Usage: scripts/setup.sh [--no-install] [--no-build]
#   --no-install        never call apt-get (offline machines, e.g. a lent GPU
#                       box): list missing packages and build with what is there
#   --no-build          install packages only
#   ATTNRES_BUILD_DIR   build directory (default: <repo>/build)
#   ATTNRES_SANITIZE=1  configure an ASan/UBSan build of attnres's own code
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${ATTNRES_BUILD_DIR:-$repo/build}
install=1
build=1
for arg in "$@"; do
  case "$arg" in
    --no-install) install=0 ;;
    --no-build) build=0 ;;
    *) echo "setup: unknown argument '$arg' (expected --no-install, --no-build)" >&2; exit 2 ;;
  esac
done

packages=(
  # LLVM/MLIR 22.1 from Debian (bookworm-security)
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools clang-22 lld-22
  libomp-22-dev libclang-rt-22-dev
  # build tools
  cmake ninja-build
  # C++ unit tests (googletest) and the formatting check (clang-format)
  libgtest-dev clang-format-22
  # multi-process execution (pipeline stages)
  mpich libmpich-dev
  # Python: Debian's interpreter runs lit and the attnres package (pybind11);
  # numpy/torch are independent references
  python3 python3-dev python3-numpy python3-torch pybind11-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ] && [ "$install" = 0 ]; then
  echo "setup: --no-install: not installing ${missing[*]} (tiers that need them report UNSUPPORTED; the build fails if it needs one)"
elif [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all system packages present"
fi

[ "$build" = 0 ] && exit 0

cmake_args=(
  -G Ninja -S "$repo" -B "$build_dir"
  -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22
  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir
  -DLLVM_DIR=/usr/lib/llvm-22/lib/cmake/llvm
  -DPython3_EXECUTABLE=/usr/bin/python3
)
if [ "${ATTNRES_SANITIZE:-0}" = 1 ]; then
  cmake_args+=(-DATTNRES_ENABLE_SANITIZERS=ON)
fi
if [ ! -f "$build_dir/build.ninja" ]; then
  cmake "${cmake_args[@]}"
fi
cmake --build "$build_dir"
