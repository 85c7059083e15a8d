// convert-attnres-to-vector on the memref form of the gradient ops (after
// one-shot-bufferize, which keeps them): the same row kernels as on tensors
// (convert-attnres-grad-to-vector.mlir), written into the op's destination
// buffers. The token dims become one row dim (memref.collapse_shape views);
// the kernel's scf.forall over tasks has no shared outputs: a task writes
// memref.subviews of the rows views of the row destinations and its row of
// the task-partial f32 accumulators, a memref.alloc that the kernel does not
// free (the buffer deallocation pipeline after it does, in attnres-to-llvm);
// the sum over the tasks is written into the query's (gain's) gradient
// buffer. The loops carry no buffers.
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector{vector-width=8 rows-per-task=4}))' | FileCheck %s

// 16 rows (2x8): 4 tasks of 4 rows.
// CHECK-LABEL: func.func @site_grad(
// CHECK-SAME:      %[[Q:[^:]+]]: memref<64xf32>, %[[V0:[^:]+]]: memref<2x8x64xf32>, %[[V1:[^:]+]]: memref<2x8x64xf32>, %[[G:[^:]+]]: memref<2x8x64xf32>, %[[DQ:[^:]+]]: memref<64xf32>, %[[DV0:[^:]+]]: memref<2x8x64xf32>, %[[DV1:[^:]+]]: memref<2x8x64xf32>)
// CHECK-DAG:     %[[R0:.*]] = memref.collapse_shape %[[V0]] {{\[\[}}0, 1], [2]] : memref<2x8x64xf32> into memref<16x64xf32>
// CHECK-DAG:     %[[R1:.*]] = memref.collapse_shape %[[V1]] {{\[\[}}0, 1], [2]]
// CHECK-DAG:     %[[RG:.*]] = memref.collapse_shape %[[G]] {{\[\[}}0, 1], [2]]
// CHECK-DAG:     %[[RD0:.*]] = memref.collapse_shape %[[DV0]] {{\[\[}}0, 1], [2]]
// CHECK-DAG:     %[[RD1:.*]] = memref.collapse_shape %[[DV1]] {{\[\[}}0, 1], [2]]
// CHECK:         %[[ACC:.*]] = memref.alloc(%[[N:.*]]) {alignment = 64 : i64} : memref<?x64xf32>
// CHECK:         scf.forall (%[[T:.*]]) in (%[[N]]) {
// CHECK-DAG:       %[[S0:.*]] = memref.subview %[[RD0]][%{{.*}}, 0] [%{{.*}}, 64] [1, 1]
// CHECK-DAG:       %[[S1:.*]] = memref.subview %[[RD1]][%{{.*}}, 0] [%{{.*}}, 64] [1, 1]
// CHECK-DAG:       %[[SA:.*]] = memref.subview %[[ACC]][%[[T]], 0] [1, 64] [1, 1] : memref<?x64xf32> to memref<1x64xf32, strided<[64, 1], offset: ?>>
// The task's accumulator row is zeroed.
// CHECK:           scf.for %[[C0:[^ ]+]] = %{{.*}} to %{{.*}} step %{{[^ ]*}} {
// CHECK:             vector.transfer_write %{{.*}}, %[[SA]][%{{.*}}, %[[C0]]]
// CHECK:           scf.for %[[ROW:[^ ]+]] = %{{.*}} to %{{.*}} step %{{[^ ]*}} {
// Pass 1: Σ v², q·v, g·v of both sources (six accumulators).
// CHECK:             iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK:               vector.transfer_read %[[Q]]
// CHECK:               vector.transfer_read %[[RG]]
// CHECK:               vector.transfer_read %[[R0]]
// CHECK:               vector.transfer_read %[[R1]]
// CHECK:             math.exp
// Pass 2: the dV_j rows into the task's subviews (no iter_args).
// CHECK:             scf.for %[[C:[^ ]+]] = %{{.*}} to %{{.*}} step %{{[^ ]*}} {
// CHECK:               vector.transfer_write %{{.*}}, %[[S0]][%[[ROW]], %[[C]]] {in_bounds = [true]} : vector<8xf32>, memref<?x64xf32, strided<[64, 1], offset: ?>>
// CHECK:               vector.transfer_write %{{.*}}, %[[S1]][%[[ROW]], %[[C]]]
// The dq accumulator row.
// CHECK:             scf.for %[[C2:[^ ]+]] = %{{.*}} to %{{.*}} step %{{[^ ]*}} {
// CHECK:               vector.transfer_read %[[SA]][%{{.*}}, %[[C2]]]
// CHECK:               vector.transfer_write %{{.*}}, %[[SA]][%{{.*}}, %[[C2]]]
// CHECK-NOT:       tensor.parallel_insert_slice
// dq = Σ over the tasks' rows, written into its buffer.
// CHECK:         scf.for %[[D:[^ ]+]] = %{{.*}} to %{{.*}} step %{{[^ ]*}} {
// CHECK:           scf.for %[[K:[^ ]+]] = %{{.*}} to %[[N]] step %{{.*}} iter_args(
// CHECK:             vector.transfer_read %[[ACC]][%[[K]], %[[D]]]
// CHECK:           vector.transfer_write %{{.*}}, %[[DQ]][%[[D]]] {in_bounds = [true]} : vector<8xf32>, memref<64xf32>
// CHECK-NOT:     memref.dealloc
// CHECK-NOT:     attnres.
// CHECK:         return
func.func @site_grad(%q: memref<64xf32>, %v0: memref<2x8x64xf32>, %v1: memref<2x8x64xf32>, %g: memref<2x8x64xf32>,
                     %dq: memref<64xf32>, %dv0: memref<2x8x64xf32>, %dv1: memref<2x8x64xf32>) {
  attnres.depth_attn_grad %q, [%v0, %v1], %g outs(%dq, %dv0, %dv1 : memref<64xf32>, memref<2x8x64xf32>, memref<2x8x64xf32>) : memref<64xf32>, memref<2x8x64xf32>, memref<2x8x64xf32>
  return
}

// bf16, dynamic rows (one token dim: the buffers are their rows views): dx
// and dγ rounded to bf16 where they are written.
// CHECK-LABEL: func.func @norm_grad(
// CHECK-SAME:      %[[X:[^:]+]]: memref<?x64xbf16>, %[[GAIN:[^:]+]]: memref<64xbf16>, %[[G:[^:]+]]: memref<?x64xbf16>, %[[DX:[^:]+]]: memref<?x64xbf16>, %[[DGAIN:[^:]+]]: memref<64xbf16>)
// CHECK-NOT:     memref.collapse_shape
// CHECK:         memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x64xf32>
// CHECK:         scf.forall
// CHECK:           %[[SX:.*]] = memref.subview %[[DX]]
// CHECK:             arith.truncf %{{.*}} : vector<8xf32> to vector<8xbf16>
// CHECK-NEXT:        vector.transfer_write %{{.*}}, %[[SX]]{{.*}} : vector<8xbf16>, memref<?x64xbf16, strided<[64, 1], offset: ?>>
// CHECK:         arith.truncf %{{.*}} : vector<8xf32> to vector<8xbf16>
// CHECK-NEXT:    vector.transfer_write %{{.*}}, %[[DGAIN]][%{{.*}}] {in_bounds = [true]} : vector<8xbf16>, memref<64xbf16>
// CHECK-NOT:     attnres.
// CHECK:         return
func.func @norm_grad(%x: memref<?x64xbf16>, %gain: memref<64xbf16>, %g: memref<?x64xbf16>, %dx: memref<?x64xbf16>, %dgain: memref<64xbf16>) {
  attnres.rms_norm_grad %x, %gain, %g outs(%dx, %dgain : memref<?x64xbf16>, memref<64xbf16>) : memref<?x64xbf16>, memref<64xbf16>
  return
}

// The row scalars: lse read with memref.load, dlse stored into the task's
// subview of its buffer.
// CHECK-LABEL: func.func @merge_grad(
// CHECK-SAME:      %[[L:[^:]+]]: memref<3xf32>, %{{[^:]+}}: memref<64xf32>, %{{[^:]+}}: memref<3x64xf32>, %{{[^:]+}}: memref<3x64xf32>, %[[DO:[^:]+]]: memref<3x64xf32>, %[[DL:[^:]+]]: memref<3xf32>, %[[DQ:[^:]+]]: memref<64xf32>, %[[DU:[^:]+]]: memref<3x64xf32>)
// CHECK:         scf.forall
// CHECK-DAG:       %[[SO:.*]] = memref.subview %[[DO]]
// CHECK-DAG:       %[[SU:.*]] = memref.subview %[[DU]]
// CHECK-DAG:       %[[SL:.*]] = memref.subview %[[DL]][%{{.*}}] [%{{.*}}] [1] : memref<3xf32> to memref<?xf32, strided<[1], offset: ?>>
// CHECK:             memref.load %[[L]][%{{.*}}] : memref<3xf32>
// CHECK:             memref.store %{{.*}}, %[[SL]][%{{.*}}]
// CHECK:               vector.transfer_write %{{.*}}, %[[SO]]
// CHECK-NEXT:          vector.transfer_write %{{.*}}, %[[SU]]
// CHECK:         vector.transfer_write %{{.*}}, %[[DQ]]
// CHECK-NOT:     attnres.
// CHECK:         return
func.func @merge_grad(%o: memref<3x64xf32>, %l: memref<3xf32>, %q: memref<64xf32>, %u: memref<3x64xf32>, %g: memref<3x64xf32>,
                      %do: memref<3x64xf32>, %dl: memref<3xf32>, %dq: memref<64xf32>, %du: memref<3x64xf32>) {
  attnres.depth_attn_merge_grad %o, %l, %q, %u, %g outs(%do, %dl, %dq, %du : memref<3x64xf32>, memref<3xf32>, memref<64xf32>, memref<3x64xf32>) : memref<3x64xf32>, memref<3xf32>, memref<64xf32>
  return
}

// Two queries: [tasks, 2, 64] accumulators; dQ's two rows written.
// CHECK-LABEL: func.func @stats_grad(
// CHECK-SAME:      %[[DQS:[^:]+]]: memref<2x64xf32>, %{{[^:]+}}: memref<7x64xf32>)
// CHECK:         memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x2x64xf32>
// CHECK:         scf.forall
// CHECK:           memref.load
// CHECK:           memref.load
// CHECK:         vector.transfer_write %{{.*}}, %[[DQS]][%c0{{.*}}, %{{.*}}]
// CHECK:         vector.transfer_write %{{.*}}, %[[DQS]][%c1{{.*}}, %{{.*}}]
// CHECK-NOT:     attnres.
// CHECK:         return
func.func @stats_grad(%qs: memref<2x64xf32>, %v0: memref<7x64xf32>, %lse: memref<2x7xf32>, %do: memref<2x7x64xf32>, %dl: memref<2x7xf32>,
                      %dqs: memref<2x64xf32>, %dv0: memref<7x64xf32>) {
  attnres.depth_attn_stats_grad %qs, [%v0], %lse, %do, %dl outs(%dqs, %dv0 : memref<2x64xf32>, memref<7x64xf32>) : memref<2x64xf32>, memref<7x64xf32>, memref<2x7xf32>, memref<2x7x64xf32>
  return
}

// A source whose token dims do not collapse (dynamic strides): no rows
// view, the op is left for convert-attnres-to-linalg (and no view is left
// behind).
// CHECK-LABEL: func.func @no_rows_view(
// CHECK-NEXT:    attnres.depth_attn_grad
// CHECK-NEXT:    return
func.func @no_rows_view(%q: memref<64xf32>, %v0: memref<2x8x64xf32, strided<[?, ?, 1], offset: ?>>, %g: memref<2x8x64xf32>,
                        %dq: memref<64xf32>, %dv0: memref<2x8x64xf32>) {
  attnres.depth_attn_grad %q, [%v0], %g outs(%dq, %dv0 : memref<64xf32>, memref<2x8x64xf32>) : memref<64xf32>, memref<2x8x64xf32, strided<[?, ?, 1], offset: ?>>, memref<2x8x64xf32>
  return
}

// No token rows: dγ is zero, not empty; left for convert-attnres-to-linalg.
// CHECK-LABEL: func.func @no_rows(
// CHECK-NEXT:    attnres.rms_norm_grad
// CHECK-NEXT:    return
func.func @no_rows(%x: memref<0x64xf32>, %gain: memref<64xf32>, %g: memref<0x64xf32>, %dx: memref<0x64xf32>, %dgain: memref<64xf32>) {
  attnres.rms_norm_grad %x, %gain, %g outs(%dx, %dgain : memref<0x64xf32>, memref<64xf32>) : memref<0x64xf32>, memref<64xf32>
  return
}
