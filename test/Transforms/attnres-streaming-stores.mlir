// RUN: attnres-opt %s --attnres-streaming-stores --split-input-file | FileCheck %s

// A tagged output loop on memrefs: versioned on the alignment of the first
// store (address of out[r, lb] mod 64; lb = 0 folds away), non-temporal
// stores when aligned.
// CHECK-LABEL: func.func @row_f32
// CHECK-SAME: (%[[OUT:.*]]: memref<?x64xf32, strided<[?, 1], offset: ?>>, %[[R:.*]]: index, %[[V:.*]]: vector<16xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C63:.*]] = arith.constant 63 : index
// CHECK: %[[PTR:.*]] = memref.extract_aligned_pointer_as_index %[[OUT]]
// CHECK: %{{.*}}, %[[OFF:.*]], %{{.*}}:2, %[[STRIDES:.*]]:2 = memref.extract_strided_metadata %[[OUT]]
// CHECK: %[[ROWOFF:.*]] = arith.muli %[[R]], %[[STRIDES]]#0
// CHECK: %[[LIN:.*]] = arith.addi %[[OFF]], %[[ROWOFF]]
// CHECK: %[[BYTES:.*]] = arith.muli %[[LIN]], %[[C4]]
// CHECK: %[[ADDR:.*]] = arith.addi %[[PTR]], %[[BYTES]]
// CHECK: %[[LOW:.*]] = arith.andi %[[ADDR]], %[[C63]]
// CHECK: %[[ALIGNED:.*]] = arith.cmpi eq, %[[LOW]], %[[C0]]
// CHECK: scf.if %[[ALIGNED]] {
// CHECK-NEXT: scf.for %[[C:.*]] =
// CHECK-NEXT: vector.store %[[V]], %[[OUT]][%[[R]], %[[C]]] {alignment = 64 : i64, nontemporal = true}
// CHECK-NOT: attnres.streaming_stores
// CHECK: } else {
// CHECK-NEXT: scf.for %[[C2:.*]] =
// CHECK-NEXT: vector.transfer_write %[[V]], %[[OUT]][%[[R]], %[[C2]]] {in_bounds = [true]}
// CHECK-NOT: attnres.streaming_stores
func.func @row_f32(%out: memref<?x64xf32, strided<[?, 1], offset: ?>>, %r: index, %v: vector<16xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  scf.for %c = %c0 to %c64 step %c16 {
    vector.transfer_write %v, %out[%r, %c] {in_bounds = [true]} : vector<16xf32>, memref<?x64xf32, strided<[?, 1], offset: ?>>
  } {attnres.streaming_stores}
  return
}

// -----

// bf16, 16 lanes: 32-byte stores, checked against 32; the memref is an
// iter_arg the loop yields unchanged, so the check reads the init value.
// CHECK-LABEL: func.func @iter_arg_bf16
// CHECK-SAME: (%[[OUT:.*]]: memref<8x64xbf16>
// CHECK-DAG: %[[C31:.*]] = arith.constant 31 : index
// CHECK: memref.extract_aligned_pointer_as_index %[[OUT]]
// CHECK: arith.andi %{{.*}}, %[[C31]]
// CHECK: %[[RES:.*]] = scf.if %{{.*}} -> (memref<8x64xbf16>) {
// CHECK: vector.store {{.*}} {alignment = 32 : i64, nontemporal = true} : memref<8x64xbf16>, vector<16xbf16>
// CHECK: } else {
// CHECK: vector.transfer_write
// CHECK: return %[[RES]]
func.func @iter_arg_bf16(%out: memref<8x64xbf16>, %r: index, %v: vector<16xbf16>) -> memref<8x64xbf16> {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %res = scf.for %c = %c0 to %c64 step %c16 iter_args(%o = %out) -> (memref<8x64xbf16>) {
    vector.transfer_write %v, %o[%r, %c] {in_bounds = [true]} : vector<16xbf16>, memref<8x64xbf16>
    scf.yield %o : memref<8x64xbf16>
  } {attnres.streaming_stores}
  return %res : memref<8x64xbf16>
}

// -----

// Several writes (a two-phase phase-1 kernel writes one row per query): one
// check per write, all must hold.
// CHECK-LABEL: func.func @two_writes
// CHECK-COUNT-2: memref.extract_aligned_pointer_as_index
// CHECK: %[[BOTH:.*]] = arith.andi %{{.*}}, %{{.*}} : i1
// CHECK: scf.if %[[BOTH]]
// CHECK-COUNT-2: vector.store {{.*}}nontemporal = true
// CHECK: } else {
// CHECK-COUNT-2: vector.transfer_write
func.func @two_writes(%out: memref<2x8x64xf32>, %r: index, %v: vector<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  scf.for %c = %c0 to %c64 step %c16 {
    vector.transfer_write %v, %out[%c0, %r, %c] {in_bounds = [true]} : vector<16xf32>, memref<2x8x64xf32>
    vector.transfer_write %v, %out[%c1, %r, %c] {in_bounds = [true]} : vector<16xf32>, memref<2x8x64xf32>
  } {attnres.streaming_stores}
  return
}

// -----

// Left alone (the tag is dropped): a loop without the tag; a strided
// innermost dim; a store not at the induction variable; a step that is not
// the vector length; a possibly out-of-bounds write; a 12-byte vector; a
// write nested in another region.
// CHECK-LABEL: func.func @not_versioned
// CHECK-NOT: memref.extract_aligned_pointer_as_index
// CHECK-NOT: vector.store
// CHECK-NOT: attnres.streaming_stores
// CHECK-COUNT-7: vector.transfer_write
// CHECK-NOT: attnres.streaming_stores
// CHECK: return
func.func @not_versioned(%out: memref<8x64xf32>, %strided: memref<8x64xf32, strided<[128, 2]>>, %r: index, %v: vector<16xf32>, %v3: vector<3xf32>, %p: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %c48 = arith.constant 48 : index
  %c64 = arith.constant 64 : index
  scf.for %c = %c0 to %c64 step %c16 {
    vector.transfer_write %v, %out[%r, %c] {in_bounds = [true]} : vector<16xf32>, memref<8x64xf32>
  }
  scf.for %c = %c0 to %c32 step %c16 {
    vector.transfer_write %v, %strided[%r, %c] {in_bounds = [true]} : vector<16xf32>, memref<8x64xf32, strided<[128, 2]>>
  } {attnres.streaming_stores}
  scf.for %c = %c0 to %c48 step %c16 {
    %i = arith.addi %c, %c1 : index
    vector.transfer_write %v, %out[%r, %i] {in_bounds = [true]} : vector<16xf32>, memref<8x64xf32>
  } {attnres.streaming_stores}
  scf.for %c = %c0 to %c64 step %c32 {
    vector.transfer_write %v, %out[%r, %c] {in_bounds = [true]} : vector<16xf32>, memref<8x64xf32>
  } {attnres.streaming_stores}
  scf.for %c = %c0 to %c64 step %c16 {
    vector.transfer_write %v, %out[%r, %c] : vector<16xf32>, memref<8x64xf32>
  } {attnres.streaming_stores}
  scf.for %c = %c0 to %c64 step %c3 {
    vector.transfer_write %v3, %out[%r, %c] {in_bounds = [true]} : vector<3xf32>, memref<8x64xf32>
  } {attnres.streaming_stores}
  scf.for %c = %c0 to %c64 step %c16 {
    scf.if %p {
      vector.transfer_write %v, %out[%r, %c] {in_bounds = [true]} : vector<16xf32>, memref<8x64xf32>
    }
  } {attnres.streaming_stores}
  return
}

// -----

// Still on tensors (before bufferization): skipped, the tag stays for a
// later run.
// CHECK-LABEL: func.func @tensors
// CHECK-NOT: scf.if
// CHECK: } {attnres.streaming_stores}
func.func @tensors(%out: tensor<8x64xf32>, %r: index, %v: vector<16xf32>) -> tensor<8x64xf32> {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %res = scf.for %c = %c0 to %c64 step %c16 iter_args(%o = %out) -> (tensor<8x64xf32>) {
    %w = vector.transfer_write %v, %o[%r, %c] {in_bounds = [true]} : vector<16xf32>, tensor<8x64xf32>
    scf.yield %w : tensor<8x64xf32>
  } {attnres.streaming_stores}
  return %res : tensor<8x64xf32>
}

// -----

// A tagged loop inside another tagged loop: the outer one has a nested write
// and is left alone; the inner one is versioned.
// CHECK-LABEL: func.func @nested
// CHECK: scf.for %[[R:.*]] =
// CHECK: scf.if
// CHECK: vector.store {{.*}}nontemporal = true
// CHECK: } else {
// CHECK: vector.transfer_write
// CHECK-NOT: attnres.streaming_stores
func.func @nested(%out: memref<8x64xf32>, %v: vector<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  scf.for %r = %c0 to %c8 step %c1 {
    scf.for %c = %c0 to %c64 step %c16 {
      vector.transfer_write %v, %out[%r, %c] {in_bounds = [true]} : vector<16xf32>, memref<8x64xf32>
    } {attnres.streaming_stores}
  } {attnres.streaming_stores}
  return
}

// -----

// A loop starting at 16: the check is on the address of out[r, 16].
// CHECK-LABEL: func.func @lower_bound
// CHECK-SAME: (%[[OUT:.*]]: memref<8x64xf32>, %[[R:.*]]: index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[PTR:.*]] = memref.extract_aligned_pointer_as_index %[[OUT]]
// CHECK: %[[ROWOFF:.*]] = arith.muli %[[R]], %[[C64]]
// CHECK: %[[FIRST:.*]] = arith.addi %[[ROWOFF]], %[[C16]]
// CHECK: arith.muli %[[FIRST]]
// CHECK: scf.if
func.func @lower_bound(%out: memref<8x64xf32>, %r: index, %v: vector<16xf32>) {
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  scf.for %c = %c16 to %c64 step %c16 {
    vector.transfer_write %v, %out[%r, %c] {in_bounds = [true]} : vector<16xf32>, memref<8x64xf32>
  } {attnres.streaming_stores}
  return
}
