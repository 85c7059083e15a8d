// RUN: attnres-opt %s --pass-pipeline='builtin.module(any(attnres-stage-traffic{stages=2}))' 2>/dev/null | FileCheck %s

// The analysis runs on any FunctionOpInterface op, here an llvm.func: a
// scalar f32 crosses hop 0 (4 bytes per row).
// CHECK-LABEL: llvm.func @scalar
// CHECK-SAME: attnres.stage_traffic = {cached_blocks = array<i64: 0>, cached_bytes_per_rank = array<i64: 4, 0>, cached_bytes_per_token = 4 : i64
// CHECK-SAME: others = array<i64: 1>
llvm.func @scalar(%x: f32) -> f32 {
  %a = llvm.fadd %x, %x : f32
  %b = llvm.fadd %a, %a {attnres.chunk = 1 : i64} : f32
  llvm.return %b : f32
}
