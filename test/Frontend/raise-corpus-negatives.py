# REQUIRES: python-bindings, numpy
# RUN: %python %S/Inputs/corpus_check.py "neg-*" | FileCheck %s

# The frontend corpus (neg-*): torch-mlir exports of PyTorch modules
# (scripts/torch_corpus.py). attnres-raise must find exactly the module's
# AttnRes sites (none in a negative, whose IR stays unchanged), and the
# frontend IR and the raised IR must both match PyTorch's float64 output
# within each file's tolerance (see Inputs/corpus_check.py).

# CHECK-NOT: FAIL
# CHECK: PASS
