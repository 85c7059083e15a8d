# REQUIRES: python-bindings, numpy
# RUN: %python %S/Inputs/corpus_check.py %attnres_src_root/examples/torch_block_attnres | FileCheck %s
# RUN: attnres-opt %attnres_src_root/examples/torch_block_attnres.linalg.mlir --attnres-raise | FileCheck %s --check-prefix=RAISED

# The README's PyTorch example (examples/torch_block_attnres.py writes it): all
# 8 AttnRes sites of the exported Block model are raised, and the model matches
# PyTorch's float64 output before and after raising.

# CHECK: ok {{.*}} sites 8/8
# CHECK: PASS
# RAISED-COUNT-8: attnres.depth_attn
# RAISED-NOT: attnres.depth_attn
