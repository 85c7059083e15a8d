// RUN: attnres-opt %attnres_src_root/examples/block_attnres.mlir --attnres-to-llvm \
// RUN:   | mlir-translate --mlir-to-llvmir | FileCheck %s

// The fully lowered example translates to LLVM IR: the model function, its C
// interface wrapper (llvm.emit_c_interface) and the entry point are defined.

// CHECK-DAG: define {{.*}}@block_attnres(
// CHECK-DAG: define {{.*}}@_mlir_ciface_block_attnres(
// CHECK-DAG: define void @main()
