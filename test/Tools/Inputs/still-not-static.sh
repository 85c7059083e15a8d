#!/bin/sh
# attnres-reduce test script: the candidate ($1) is interesting (exit 1) while
# attnres-to-llvm still rejects an rms_norm whose hidden size is not static.
attnres-opt "$1" --attnres-to-llvm -o /dev/null 2>&1 |
  grep -q "'attnres.rms_norm' op cannot be lowered: the hidden (last) dimension of 'tensor<4x?xf32>' must be static" &&
  exit 1
exit 0
