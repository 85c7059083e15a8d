# REQUIRES: python-bindings, numpy
# RUN: %python %S/Inputs/corpus_check.py "*" --tosa | FileCheck %s

# The TOSA exports of the corpus (torch-mlir output_type="tosa"): the
# attnres-raise-tosa pipeline (MLIR 22's tosa-to-linalg-pipeline, tosa-to-tensor,
# tosa-to-arith, then attnres-raise) raises each site; frontend and raised IR
# match PyTorch's float64 output.

# CHECK-COUNT-5: {{^ok}}
# CHECK-NOT: FAIL
# CHECK: PASS
