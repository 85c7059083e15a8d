// attnres-raise recognizes the sites in linalg that attnres itself did not
// write for it: convert-attnres-to-linalg's lowering of the main example's 12
// depth_attn sites (one fused generic per statistic, softmax and sum, in its
// own spelling) raises back to 12 depth_attn ops with the example's eps.
// RUN: attnres-opt %attnres_src_root/examples/block_attnres.mlir --convert-attnres-to-linalg | attnres-opt --attnres-raise | FileCheck %s
// CHECK-LABEL: func.func @block_attnres
// CHECK-COUNT-12: attnres.depth_attn {{.*}} {eps = 9.99999997E-7 : f32}
// CHECK-NOT: attnres.depth_attn
