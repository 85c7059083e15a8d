// convert-attnres-to-vector on the memref form of the forward ops (after
// one-shot-bufferize, which keeps them): the same row kernels as on tensors,
// written into the op's buffers. The token dims become one row dim
// (memref.collapse_shape views); upstream's scf::tileUsingSCF tiles the op
// into an scf.forall without shared outputs whose tiles are memref.subviews;
// each tile runs the per-row loop. A vector.transfer_write into a buffer has
// no result: the row loop and the output loops over D carry no buffers.
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector{vector-width=8 rows-per-task=4}))' | FileCheck %s
// The streaming-stores tag on the output loop, from the static shape of the
// output buffer (4096 bytes here; the stats output has 1536, a dynamic one
// none), as on tensors:
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector{vector-width=8 rows-per-task=4 streaming-min-bytes=4096}))' | FileCheck %s --check-prefix=STREAM
// STREAM-LABEL: func.func @site(
// STREAM:           vector.transfer_write
// STREAM-NEXT:    } {attnres.streaming_stores}
// STREAM-LABEL: func.func @stats(
// STREAM-NOT:     attnres.streaming_stores
// STREAM-LABEL: func.func @merge_norm(
// STREAM-NOT:     attnres.streaming_stores
// STREAM-LABEL: func.func @no_rows(

// 16 rows (2x8): tasks of 4 rows on subviews of the rows views.
// CHECK-LABEL: func.func @site(
// CHECK-SAME:      %[[Q:[^:]+]]: memref<64xf32>, %[[V0:[^:]+]]: memref<2x8x64xf32>, %[[V1:[^:]+]]: memref<2x8x64xf32>, %[[OUT:[^:]+]]: memref<2x8x64xf32>)
// CHECK-DAG:     %[[R0:.*]] = memref.collapse_shape %[[V0]] {{\[\[}}0, 1], [2]] : memref<2x8x64xf32> into memref<16x64xf32>
// CHECK-DAG:     %[[R1:.*]] = memref.collapse_shape %[[V1]] {{\[\[}}0, 1], [2]]
// CHECK-DAG:     %[[RO:.*]] = memref.collapse_shape %[[OUT]] {{\[\[}}0, 1], [2]]
// CHECK:         scf.forall (%[[T:.*]]) = (0) to (16) step (4) {
// CHECK-DAG:       %[[S0:.*]] = memref.subview %[[R0]][%[[T]], 0] [4, 64] [1, 1]
// CHECK-DAG:       %[[S1:.*]] = memref.subview %[[R1]][%[[T]], 0] [4, 64] [1, 1]
// CHECK-DAG:       %[[SO:.*]] = memref.subview %[[RO]][%[[T]], 0] [4, 64] [1, 1]
// CHECK:           scf.for %[[ROW:[^ ]+]] = %{{.*}} to %{{.*}} step %{{[^ ]*}} {
// Pass 1: Σ v² and Σ q·v of both sources in one loop over D.
// CHECK:             scf.for %[[C:[^ ]+]] = {{.*}} iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK:               vector.transfer_read %[[Q]][%[[C]]]
// CHECK:               vector.transfer_read %[[S0]][%[[ROW]], %[[C]]]
// CHECK:               vector.transfer_read %[[S1]][%[[ROW]], %[[C]]]
// CHECK:             math.exp
// Pass 2: the weighted sum written into the task's subview of the output.
// CHECK:             scf.for %[[C2:[^ ]+]] = %{{.*}} to %{{.*}} step %{{[^ ]*}} {
// CHECK:               vector.transfer_read %[[S0]][%[[ROW]], %[[C2]]]
// CHECK:               vector.transfer_read %[[S1]][%[[ROW]], %[[C2]]]
// CHECK:               vector.transfer_write %{{.*}}, %[[SO]][%[[ROW]], %[[C2]]] {in_bounds = [true]} : vector<8xf32>, memref<4x64xf32, strided<[64, 1], offset: ?>>
// CHECK-NOT:       attnres.
// CHECK:         return
func.func @site(%q: memref<64xf32>, %v0: memref<2x8x64xf32>, %v1: memref<2x8x64xf32>, %out: memref<2x8x64xf32>) {
  attnres.depth_attn %q, [%v0, %v1] outs(%out : memref<2x8x64xf32>) : memref<64xf32>, memref<2x8x64xf32>
  return
}

// 3 rows fit one task: no forall. Two static queries share the loops over D;
// the lse is stored with memref.store.
// CHECK-LABEL: func.func @stats(
// CHECK-SAME:      %[[QS:[^:]+]]: memref<2x64xf32>, %[[V:[^:]+]]: memref<3x64xf32>, %[[O:[^:]+]]: memref<2x3x64xf32>, %[[L:[^:]+]]: memref<2x3xf32>)
// CHECK-NOT:     scf.forall
// CHECK:         scf.for %[[ROW:[^ ]+]] = %{{.*}} to %{{.*}} step %{{[^ ]*}} {
// CHECK:           iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK:           memref.store %{{.*}}, %[[L]][%{{.*}}, %[[ROW]]] : memref<2x3xf32>
// CHECK:           memref.store %{{.*}}, %[[L]][%{{.*}}, %[[ROW]]] : memref<2x3xf32>
// CHECK:           scf.for %[[C:[^ ]+]] = %{{.*}} to %{{.*}} step %{{[^ ]*}} {
// CHECK:             vector.transfer_write %{{.*}}, %[[O]][%{{.*}}, %[[ROW]], %[[C]]]
// CHECK:             vector.transfer_write %{{.*}}, %[[O]][%{{.*}}, %[[ROW]], %[[C]]]
// CHECK-NOT:     attnres.
// CHECK:         return
func.func @stats(%qs: memref<2x64xf32>, %v0: memref<3x64xf32>, %out: memref<2x3x64xf32>, %lse: memref<2x3xf32>) {
  attnres.depth_attn_stats %qs, [%v0, %v0] outs(%out, %lse : memref<2x3x64xf32>, memref<2x3xf32>) : memref<2x64xf32>, memref<3x64xf32>
  return
}

// Dynamic rows: an scf.if picks one task (the untiled op's loop) or the
// forall at run time. The fused op that does not keep h gets a scratch h
// buffer (freed by the deallocation pipeline, as one-shot-bufferize's
// allocations): the merge writes a row of it, the norm reads it back.
// CHECK-LABEL: func.func @merge_norm(
// CHECK-SAME:      %[[O:[^:]+]]: memref<?x64xbf16>, %[[L:[^:]+]]: memref<?xf32>, %[[Q:[^:]+]]: memref<64xbf16>, %[[V:[^:]+]]: memref<?x64xbf16>, %[[G:[^:]+]]: memref<64xbf16>, %[[N:[^:]+]]: memref<?x64xbf16>)
// CHECK:         %[[H:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x64xbf16>
// CHECK:         scf.if
// CHECK:           scf.for %[[ROW:[^ ]+]] = %{{.*}} to %{{.*}} step %{{[^ ]*}} {
// CHECK:             memref.load %[[L]][%[[ROW]]] : memref<?xf32>
// CHECK:             scf.for
// CHECK:               vector.transfer_write %{{.*}}, %[[H]][%[[ROW]], %{{.*}}]
// CHECK:             scf.for
// CHECK:               vector.transfer_read %[[H]][%[[ROW]], %{{.*}}]
// CHECK:             scf.for
// CHECK:               vector.transfer_read %[[H]][%[[ROW]], %{{.*}}]
// CHECK:               vector.transfer_write %{{.*}}, %[[N]][%[[ROW]], %{{.*}}]
// CHECK:         } else {
// CHECK:           scf.forall
// CHECK:             %[[SL:.*]] = memref.subview %[[L]]
// CHECK:             %[[SN:.*]] = memref.subview %[[N]]
// CHECK:             %[[SH:.*]] = memref.subview %[[H]]
// CHECK:             scf.for %[[ROW2:[^ ]+]] = %{{.*}} to %{{.*}} step %{{[^ ]*}} {
// CHECK:               memref.load %[[SL]][%[[ROW2]]]
// CHECK:                 vector.transfer_write %{{.*}}, %[[SH]][%[[ROW2]], %{{.*}}]
// CHECK:                 vector.transfer_write %{{.*}}, %[[SN]][%[[ROW2]], %{{.*}}]
// CHECK-NOT:     attnres.
// CHECK:         return
func.func @merge_norm(%o: memref<?x64xbf16>, %l: memref<?xf32>, %q: memref<64xbf16>, %v: memref<?x64xbf16>, %g: memref<64xbf16>, %n: memref<?x64xbf16>) {
  attnres.depth_attn_merge_norm %o, %l, %q, %v, %g outs(%n : memref<?x64xbf16>) : memref<?x64xbf16>, memref<?xf32>, memref<64xbf16>, memref<?x64xbf16>, memref<64xbf16>
  return
}

// No token rows: nothing to write, the op goes.
// CHECK-LABEL: func.func @no_rows(
// CHECK-NEXT:    return
func.func @no_rows(%q: memref<64xf32>, %v0: memref<0x64xf32>, %out: memref<0x64xf32>) {
  attnres.depth_attn %q, [%v0] outs(%out : memref<0x64xf32>) : memref<64xf32>, memref<0x64xf32>
  return
}
