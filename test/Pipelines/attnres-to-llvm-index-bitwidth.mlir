// RUN: not attnres-opt %s --attnres-to-llvm="index-bitwidth=32" 2>&1 | FileCheck %s --check-prefix=REJECT
// RUN: not attnres-opt %s --attnres-to-llvm="index-bitwidth=32 fast-kernels=false" 2>&1 | FileCheck %s --check-prefix=REJECT
// RUN: not attnres-opt %s --attnres-to-llvm="index-bitwidth=32 parallel=false" 2>&1 | FileCheck %s --check-prefix=REJECT
// RUN: not attnres-opt %s --pass-pipeline="builtin.module(attnres-to-llvm{index-bitwidth=16})" 2>&1 | FileCheck %s --check-prefix=REJECT16
// RUN: attnres-opt %s --attnres-to-llvm="index-bitwidth=32 fast-kernels=false parallel=false" | FileCheck %s --check-prefix=I32
// RUN: attnres-opt %s --attnres-to-llvm="index-bitwidth=32 fast-kernels=false parallel=false" | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR
// RUN: attnres-opt %s --attnres-to-llvm="index-bitwidth=64" | FileCheck %s --check-prefix=I64

// index-bitwidth: upstream's convert-vector-to-llvm and convert-openmp-to-llvm
// type memref descriptors and loop bounds with 64-bit indices only, so the
// fast kernels and OpenMP with 32-bit indices used to exit 0 leaving
// builtin.unrealized_conversion_cast ops of memref descriptors. The pipeline
// rejects that combination as an option error; the plain loops lower with
// 32-bit descriptors and nothing left unconverted.

// REJECT: error: attnres-to-llvm: index-bitwidth=32 needs fast-kernels=false parallel=false
// REJECT16: error: attnres-to-llvm: index-bitwidth=16 needs fast-kernels=false parallel=false

// I32-LABEL: llvm.func @site(
// I32-NOT: unrealized_conversion_cast
// I32: llvm.struct<(ptr, ptr, i32, array<2 x i32>, array<2 x i32>)>
// I32-NOT: unrealized_conversion_cast
// I32-NOT: {{ptr, i64|x i64>}}
// I32-NOT: unrealized_conversion_cast

// LLVMIR: define { ptr, ptr, i32, [2 x i32], [2 x i32] } @site(

// I64-LABEL: llvm.func @site(
// I64-NOT: unrealized_conversion_cast
// I64: llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>

func.func @site(%q: tensor<16xf32>, %v0: tensor<4x16xf32>, %v1: tensor<4x16xf32>,
                %v2: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %r = attnres.depth_attn %q, [%v0, %v1, %v2] {eps = 1.0e-6 : f32}
      : tensor<16xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}
