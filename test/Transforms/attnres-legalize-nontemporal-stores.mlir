// RUN: attnres-opt %s --attnres-legalize-nontemporal-stores | FileCheck %s
// RUN: attnres-opt %s --attnres-legalize-nontemporal-stores | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=CHECK-LLVMIR

// Non-temporal stores of bf16/f16 vectors store the same bits as i16 vectors;
// f32 vectors, scalars and ordinary stores are left alone.
// CHECK-LABEL: llvm.func @stores
// CHECK-SAME: (%[[P:.*]]: !llvm.ptr, %[[B:.*]]: vector<16xbf16>, %[[H:.*]]: vector<8xf16>, %[[F:.*]]: vector<16xf32>, %[[S:.*]]: bf16)
// CHECK: %[[BI:.*]] = llvm.bitcast %[[B]] : vector<16xbf16> to vector<16xi16>
// CHECK: llvm.store %[[BI]], %[[P]] {alignment = 32 : i64, nontemporal} : vector<16xi16>, !llvm.ptr
// CHECK: %[[HI:.*]] = llvm.bitcast %[[H]] : vector<8xf16> to vector<8xi16>
// CHECK: llvm.store %[[HI]], %[[P]] {alignment = 16 : i64, nontemporal} : vector<8xi16>, !llvm.ptr
// CHECK: llvm.store %[[F]], %[[P]] {alignment = 64 : i64, nontemporal} : vector<16xf32>, !llvm.ptr
// CHECK: llvm.store %[[B]], %[[P]] {alignment = 32 : i64} : vector<16xbf16>, !llvm.ptr
// CHECK: llvm.store %[[S]], %[[P]] {nontemporal} : bf16, !llvm.ptr
// CHECK-LLVMIR: store <16 x i16> %{{.*}}, ptr %{{.*}}, align 32, !nontemporal
llvm.func @stores(%p: !llvm.ptr, %b: vector<16xbf16>, %h: vector<8xf16>, %f: vector<16xf32>, %s: bf16) {
  llvm.store %b, %p {alignment = 32 : i64, nontemporal} : vector<16xbf16>, !llvm.ptr
  llvm.store %h, %p {alignment = 16 : i64, nontemporal} : vector<8xf16>, !llvm.ptr
  llvm.store %f, %p {alignment = 64 : i64, nontemporal} : vector<16xf32>, !llvm.ptr
  llvm.store %b, %p {alignment = 32 : i64} : vector<16xbf16>, !llvm.ptr
  llvm.store %s, %p {nontemporal} : bf16, !llvm.ptr
  llvm.return
}
