#!/usr/bin/env bash
# attnres's C/C++ formatting: .clang-format (LLVM style) with Debian's
# clang-format-22 (scripts/setup.sh installs it).
#
# Usage: scripts/format.sh [--check | --changed [BASE] | --fix]
#   --check           (default) fail, listing the lines, if any tracked C/C++
#                     file is not formatted; .ci/run runs this. The tree is
#                     kept formatted, so every unformatted line is a changed one.
#   --changed [BASE]  only the lines changed since BASE (default HEAD~1), as
#                     `git clang-format --diff`: for a branch before it lands.
#   --fix             reformat every tracked C/C++ file in place.
# Files with lit RUN lines (C programs that are lit tests) are not formatted.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
clang_format=${ATTNRES_CLANG_FORMAT:-/usr/lib/llvm-22/bin/clang-format}
if [ ! -x "$clang_format" ]; then
  echo "format: $clang_format not found; install Debian's clang-format-22 (scripts/setup.sh does)" >&2
  exit 2
fi
mode=${1:---check}
# Lit tests written in C (their comments are RUN/CHECK directives, which
# must not be reflowed) are left as they are.
mapfile -t files < <(git ls-files '*.c' '*.cpp' '*.h' | while read -r f; do
  grep -q 'RUN:' "$f" || echo "$f"; done)
case "$mode" in
  --check)
    bad=0
    for f in "${files[@]}"; do
      if ! out=$("$clang_format" --style=file "$f" | diff -u "$f" - --label "$f" --label "$f (clang-format)"); then
        printf '%s\n' "$out"
        bad=$((bad + 1))
      fi
    done
    if [ "$bad" -gt 0 ]; then
      echo "format: $bad of ${#files[@]} files are not clang-format clean; run scripts/format.sh --fix" >&2
      exit 1
    fi
    echo "format: ${#files[@]} C/C++ files clang-format clean"
    ;;
  --changed)
    base=${2:-HEAD~1}
    out=$(git "-c" "clangFormat.binary=$clang_format" clang-format-22 --style=file --diff "$base" -- "${files[@]}" 2>&1 || true)
    case "$out" in
      ""|"no modified files to format"*|"clang-format did not modify any files"*)
        echo "format: lines changed since $base are clang-format clean" ;;
      *) printf '%s\n' "$out"; echo "format: lines changed since $base need formatting" >&2; exit 1 ;;
    esac
    ;;
  --fix)
    "$clang_format" --style=file -i "${files[@]}"
    echo "format: reformatted ${#files[@]} files"
    ;;
  *) echo "format: unknown argument '$mode' (expected --check, --changed [BASE], --fix)" >&2; exit 2 ;;
esac
