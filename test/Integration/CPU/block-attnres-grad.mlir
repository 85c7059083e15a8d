// REQUIRES: numpy
// Visible input: Inputs/gen-block-grad.mlir, the generator's output checked in (kept equal to
// it by attnres-gen-check-input.mlir), run like the generated ones below.
// RUN: attnres-opt %S/Inputs/gen-block-grad.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %S/Inputs/gen-block-grad.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case block-grad --layers 6 --block-size 2 --rows 4 --hidden 16 --seed 541 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %t.mlir --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case block-grad --layers 7 --block-size 3 --rows 8 --hidden 32 --seed 542 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case block-grad --layers 4 --block-size 1 --rows 4 --hidden 16 --seed 543 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case block-grad --layers 4 --block-size 4 --rows 1 --hidden 16 --seed 544 > %t.mlir
// RUN: attnres-opt %t.mlir --attnres-to-llvm | %run_cpu | FileCheck %s
// The check can fail: the first case with every expected value moved by 1e-2.
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --case block-grad --layers 6 --block-size 2 --rows 4 --hidden 16 --seed 541 --perturb 1e-2 > %t.bad.mlir
// RUN: attnres-opt %t.bad.mlir --attnres-to-llvm | %run_cpu | FileCheck %s --check-prefix=CHECK-BAD

// The backward of a whole Block AttnRes model (attnres-math.md §3) in IR:
// linear sublayers f_l(h) = h @ W_l, the forward, then the reverse sweep
// built from the rules of docs/semantics.md (Gradients): depth_attn_grad at
// every site (the output site first), block_summary to add the gradients
// that reach a sublayer output through every block summary and running
// partial that contains it, and the sublayer's vector-Jacobian product
// dh = dout @ W^T (provided by the caller, here linalg.matmul). Checked: the
// embedding's gradient and every site's query gradient, against float64
// numpy (scripts/attnres_grad_gen.py, block_grad) that is itself checked by
// central finite differences of the float64 forward model. Tolerance
// 2e-4 (rtol, and atol x max|ref|). Block sizes 2 and 3 (partial last
// block), 1 (= Full AttnRes) and 4 = L (one block: the output site attends
// over the embedding and the running sum).

// CHECK: max_abs_err = {{[0-9.e+-]+}}
// CHECK-NEXT: mismatches = 0
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL
// CHECK-BAD: FAIL
