// RUN: attnres-opt %s --split-input-file --attnres-plan-buffers | FileCheck %s
// RUN: attnres-opt %s --split-input-file --attnres-plan-buffers=arena=per-call | FileCheck %s --check-prefix=PERCALL
// RUN: attnres-opt %s --split-input-file --attnres-plan-buffers=arena=off | FileCheck %s --check-prefix=OFF
// RUN: attnres-opt %s --split-input-file --attnres-plan-buffers=report --mlir-print-op-on-diagnostic=false 2>&1 >/dev/null | FileCheck %s --check-prefix=REPORT

// Buffers as buffer deallocation leaves them: every dealloc at the end of the
// function. Live ranges: a = [alloc a, op reading a], b = [alloc b, op
// reading b], c = [alloc c, copy]. a and c do not overlap and share offset 0;
// b overlaps both and goes to 256 (64 x f32 = 256 bytes each).

// CHECK-LABEL: memref.global "private" @__attnres_arena_busy_chain : memref<1xi32> = dense<0>
// CHECK: memref.global "private" @__attnres_arena_chain : memref<512xi8> = uninitialized {alignment = 64 : i64}
// CHECK-LABEL: func.func @chain(
// CHECK: %[[FLAG:.*]] = memref.get_global @__attnres_arena_busy_chain
// CHECK: %[[OLD:.*]] = memref.atomic_rmw assign %{{.*}}, %[[FLAG]]
// CHECK: %[[MINE:.*]] = arith.cmpi eq, %[[OLD]]
// CHECK: %[[ARENA:.*]] = scf.if %[[MINE]] -> (memref<512xi8>) {
// CHECK:   memref.get_global @__attnres_arena_chain
// CHECK: } else {
// CHECK:   memref.alloc() {alignment = 64 : i64} : memref<512xi8>
// CHECK: }
// CHECK: %[[OA:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[A:.*]] = memref.view %[[ARENA]][%[[OA]]][] : memref<512xi8> to memref<64xf32>
// CHECK: %[[OB:.*]] = arith.constant 256 : index
// CHECK-NEXT: %[[B:.*]] = memref.view %[[ARENA]][%[[OB]]][] : memref<512xi8> to memref<64xf32>
// CHECK: %[[OC:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[C:.*]] = memref.view %[[ARENA]][%[[OC]]][] : memref<512xi8> to memref<64xf32>
// CHECK: memref.copy %[[C]], %{{.*}}
// CHECK-NOT: memref.dealloc %[[A]]
// CHECK: scf.if %[[MINE]] {
// CHECK:   memref.atomic_rmw assign %{{.*}}, %[[FLAG]]
// CHECK: } else {
// CHECK:   memref.dealloc %[[ARENA]] : memref<512xi8>
// CHECK: }
// CHECK-NEXT: return

// PERCALL-NOT: memref.global
// PERCALL-LABEL: func.func @chain(
// PERCALL: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<512xi8>
// PERCALL: memref.view %[[ARENA]]
// PERCALL: memref.view %[[ARENA]]
// PERCALL: memref.view %[[ARENA]]
// PERCALL: memref.copy
// PERCALL-NEXT: memref.dealloc %[[ARENA]] : memref<512xi8>
// PERCALL-NEXT: return

// OFF-LABEL: func.func @chain(
// OFF: %[[A:.*]] = memref.alloc() : memref<64xf32>
// OFF: linalg.generic {{.*}} ins(%[[A]] : memref<64xf32>)
// OFF: }
// OFF-NEXT: memref.dealloc %[[A]]
// OFF: %[[C:.*]] = memref.alloc() : memref<64xf32>
// OFF: memref.copy %[[C]]
// OFF-NEXT: memref.dealloc %[[C]]

// REPORT: remark: attnres-plan-buffers: 3 buffers of 768 bytes in an arena of 512 bytes; 0 left to the allocator (0 freed after their last use)

#id = affine_map<(i) -> (i)>
func.func @chain(%x: memref<64xf32>, %out: memref<64xf32>) {
  %a = memref.alloc() : memref<64xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : memref<64xf32>) outs(%a : memref<64xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  %b = memref.alloc() : memref<64xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%a : memref<64xf32>) outs(%b : memref<64xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  %c = memref.alloc() : memref<64xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%b : memref<64xf32>) outs(%c : memref<64xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  memref.copy %c, %out : memref<64xf32> to memref<64xf32>
  memref.dealloc %a : memref<64xf32>
  memref.dealloc %b : memref<64xf32>
  memref.dealloc %c : memref<64xf32>
  return
}

// -----

// A view keeps its buffer live: %a is read through a subview inside a loop
// after %b is written, so %a, %b and %c are all live together. Deallocs
// under `scf.if %true` (as convert-bufferization-to-memref emits them) go
// with their scf.if. Greedy by size: a (192 bytes) at 0; b (128 bytes,
// aligned to 128) at 256, not 192; c (64 bytes) fits in the gap at 192.
// The arena takes the largest alignment.

// CHECK-LABEL: memref.global "private" @__attnres_arena_views : memref<384xi8> = uninitialized {alignment = 128 : i64}
// CHECK-LABEL: func.func @views(
// CHECK: memref.alloc() {alignment = 128 : i64} : memref<384xi8>
// (The printer names an index constant after its value: %c256, %c0_1.)
// CHECK: memref.view %{{.*}}[%c0{{(_[0-9]+)?}}][] : memref<384xi8> to memref<48xf32>
// CHECK: memref.view %{{.*}}[%c256{{(_[0-9]+)?}}][] : memref<384xi8> to memref<32xf32>
// CHECK: memref.view %{{.*}}[%c192{{(_[0-9]+)?}}][] : memref<384xi8> to memref<16xf32>
// CHECK-NOT: scf.if %true
// CHECK: return

// REPORT: remark: attnres-plan-buffers: 3 buffers of 384 bytes in an arena of 384 bytes

func.func @views(%x: memref<48xf32>, %out: memref<16xf32>) {
  %true = arith.constant true
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %a = memref.alloc() : memref<48xf32>
  memref.copy %x, %a : memref<48xf32> to memref<48xf32>
  %sv = memref.subview %a[16] [16] [1] : memref<48xf32> to memref<16xf32, strided<[1], offset: 16>>
  %b = memref.alloc() {alignment = 128 : i64} : memref<32xf32>
  %f = arith.constant 1.0 : f32
  linalg.fill ins(%f : f32) outs(%b : memref<32xf32>)
  %c = memref.alloc() : memref<16xf32>
  scf.for %i = %c0 to %c16 step %c1 {
    %v = memref.load %sv[%i] : memref<16xf32, strided<[1], offset: 16>>
    %w = memref.load %b[%i] : memref<32xf32>
    %s = arith.addf %v, %w : f32
    memref.store %s, %c[%i] : memref<16xf32>
  }
  memref.copy %c, %out : memref<16xf32> to memref<16xf32>
  scf.if %true {
    memref.dealloc %a : memref<48xf32>
  }
  scf.if %true {
    memref.dealloc %b : memref<32xf32>
  }
  scf.if %true {
    memref.dealloc %c : memref<16xf32>
  }
  return
}

// -----

// Left alone: a buffer the function returns (no dealloc), a buffer whose
// address is taken, a dynamically shaped one (its dealloc moves to its last
// use), one freed under a condition.

// CHECK-NOT: memref.global
// CHECK-LABEL: func.func @left(
// CHECK: %[[R:.*]] = memref.alloc() : memref<8xf32>
// CHECK: %[[P:.*]] = memref.alloc() : memref<8xf32>
// CHECK: memref.extract_aligned_pointer_as_index %[[P]]
// CHECK: %[[D:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK-NEXT: linalg.fill {{.*}} outs(%[[D]] : memref<?xf32>)
// CHECK-NEXT: memref.dealloc %[[D]] : memref<?xf32>
// CHECK: %[[K:.*]] = memref.alloc() : memref<8xf32>
// CHECK: scf.if %{{.*}} {
// CHECK-NEXT: memref.dealloc %[[K]]
// CHECK: return %[[R]]

// REPORT: remark: attnres-plan-buffers: 0 buffers of 0 bytes in an arena of 0 bytes; 4 left to the allocator (1 freed after their last use)

func.func @left(%n: index, %cond: i1) -> (memref<8xf32>, index) {
  %f = arith.constant 1.0 : f32
  %r = memref.alloc() : memref<8xf32>
  linalg.fill ins(%f : f32) outs(%r : memref<8xf32>)
  %p = memref.alloc() : memref<8xf32>
  %ptr = memref.extract_aligned_pointer_as_index %p : memref<8xf32> -> index
  %d = memref.alloc(%n) : memref<?xf32>
  linalg.fill ins(%f : f32) outs(%d : memref<?xf32>)
  %k = memref.alloc() : memref<8xf32>
  linalg.fill ins(%f : f32) outs(%k : memref<8xf32>)
  linalg.fill ins(%f : f32) outs(%r : memref<8xf32>)
  memref.dealloc %p : memref<8xf32>
  memref.dealloc %d : memref<?xf32>
  scf.if %cond {
    memref.dealloc %k : memref<8xf32>
  }
  return %r, %ptr : memref<8xf32>, index
}

// -----

// Two functions get two arenas; a function with several blocks is left alone.

// CHECK: memref.global "private" @__attnres_arena_one : memref<256xi8>
// CHECK-LABEL: func.func @one(
// CHECK: memref.view
// CHECK: memref.global "private" @__attnres_arena_two : memref<256xi8>
// CHECK-LABEL: func.func @two(
// CHECK: memref.view
// CHECK-LABEL: func.func @blocks(
// CHECK: memref.alloc() : memref<64xf32>

func.func @one(%out: memref<64xf32>) {
  %a = memref.alloc() : memref<64xf32>
  memref.copy %a, %out : memref<64xf32> to memref<64xf32>
  memref.dealloc %a : memref<64xf32>
  return
}
func.func @two(%out: memref<64xf32>) {
  %a = memref.alloc() : memref<64xf32>
  memref.copy %a, %out : memref<64xf32> to memref<64xf32>
  memref.dealloc %a : memref<64xf32>
  return
}
func.func @blocks(%out: memref<64xf32>) {
  %a = memref.alloc() : memref<64xf32>
  memref.copy %a, %out : memref<64xf32> to memref<64xf32>
  memref.dealloc %a : memref<64xf32>
  cf.br ^next
^next:
  return
}

// -----

// Recently freed memory first: a dies, then b; c takes b's place (256), which
// is more likely to be in cache than a's (0), at the same arena size.

// CHECK-LABEL: func.func @recent(
// CHECK: memref.view %{{.*}}[%c0{{(_[0-9]+)?}}][] : memref<512xi8> to memref<64xf32>
// CHECK: memref.view %{{.*}}[%c256{{(_[0-9]+)?}}][] : memref<512xi8> to memref<64xf32>
// CHECK: memref.view %{{.*}}[%c256{{(_[0-9]+)?}}][] : memref<512xi8> to memref<64xf32>

func.func @recent(%x: memref<64xf32>, %out: memref<64xf32>) {
  %a = memref.alloc() : memref<64xf32>
  memref.copy %x, %a : memref<64xf32> to memref<64xf32>
  %b = memref.alloc() : memref<64xf32>
  memref.copy %x, %b : memref<64xf32> to memref<64xf32>
  memref.copy %a, %out : memref<64xf32> to memref<64xf32>
  memref.copy %b, %out : memref<64xf32> to memref<64xf32>
  %c = memref.alloc() : memref<64xf32>
  memref.copy %x, %c : memref<64xf32> to memref<64xf32>
  memref.copy %c, %out : memref<64xf32> to memref<64xf32>
  memref.dealloc %a : memref<64xf32>
  memref.dealloc %b : memref<64xf32>
  memref.dealloc %c : memref<64xf32>
  return
}
