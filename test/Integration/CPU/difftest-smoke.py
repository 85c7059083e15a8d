# REQUIRES: numpy
# RUN: rm -rf %t.failures
# RUN: %python %attnres_src_root/scripts/difftest.py --count 24 --seed 1 \
# RUN:   --build-dir %attnres_obj_root \
# RUN:   --shared-libs=%mlir_runner_utils,%mlir_c_runner_utils,%libomp \
# RUN:   --out %t.failures | FileCheck %s

# Smoke test of the differential tester (scripts/difftest.py, docs/testing.md
# "Differential testing"): 24 random programs (sites, unfused chains,
# stats/merge, Full and Block models in f32/bf16/f16 with random shapes),
# each lowered with the default pipeline, `fast-kernels=false parallel=false`,
# the GPU kernels' decomposition on the CPU and random attnres-to-llvm
# options, executed with mlir-runner and compared with the float64 numpy
# reference of scripts/attnres_gen.py; a third also through attnres.compile
# with function arguments when the Python package is built. A failure prints
# its reproducer (and saves it in %t.failures). Long runs: docs/testing.md.

# CHECK-NOT: FAIL
# CHECK: difftest: 24 programs, {{[0-9]+}} runs, 0 failures, {{[0-9.]+}} s
