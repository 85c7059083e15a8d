// RuntimeVerifiableOpInterface: upstream generate-runtime-verification checks
// every size relation of an attnres op that the types leave dynamic (the
// relations are stated once, in AttnResShapeInterfaces.cpp; static ones are
// the verifier's). Relations the types already decide get no check.
// RUN: attnres-opt %s --generate-runtime-verification="verbose-level=0" --cse --split-input-file | FileCheck %s

// Sources of one type, but rows known only at run time: one check per
// dynamic dimension of each further source, and the query length against a
// static hidden size.
// CHECK-LABEL: func.func @depth_attn(
// CHECK-SAME: %[[Q:[^:]*]]: tensor<?xf32>, %[[A:[^:]*]]: tensor<?x?x8xf32>, %[[B:[^:]*]]: tensor<?x?x8xf32>)
// CHECK: %[[B0:.*]] = tensor.dim %[[B]], %c0
// CHECK: %[[A0:.*]] = tensor.dim %[[A]], %c0
// CHECK: %[[OK0:.*]] = arith.cmpi eq, %[[B0]], %[[A0]]
// CHECK: cf.assert %[[OK0]], "{{.*}}dimension 0 of source #1 must equal dimension 0 of source #0 (one shape for all sources)
// CHECK: %[[B1:.*]] = tensor.dim %[[B]], %c1
// CHECK: %[[A1:.*]] = tensor.dim %[[A]], %c1
// CHECK: %[[OK1:.*]] = arith.cmpi eq, %[[B1]], %[[A1]]
// CHECK: cf.assert %[[OK1]], "{{.*}}dimension 1 of source #1 must equal dimension 1 of source #0 (one shape for all sources)
// CHECK: %[[QD:.*]] = tensor.dim %[[Q]], %c0
// CHECK: %[[OK2:.*]] = arith.cmpi eq, %[[QD]], %c8
// CHECK: cf.assert %[[OK2]], "{{.*}}dimension 0 of query must equal dimension 2 of source #0 (hidden size)
// CHECK-NOT: cf.assert
// CHECK: attnres.depth_attn
func.func @depth_attn(%q: tensor<?xf32>, %a: tensor<?x?x8xf32>, %b: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  %h = attnres.depth_attn %q, [%a, %b] : tensor<?xf32>, tensor<?x?x8xf32> -> tensor<?x?x8xf32>
  return %h : tensor<?x?x8xf32>
}

// -----

// A dynamic hidden size must be non-zero (the statistics divide by it) and
// equal to the gain's length.
// CHECK-LABEL: func.func @rms_norm(
// CHECK-SAME: %[[X:[^:]*]]: tensor<4x?xf32>, %[[G:[^:]*]]: tensor<?xf32>)
// CHECK: %[[D:.*]] = tensor.dim %[[X]], %c1
// CHECK: %[[NZ:.*]] = arith.cmpi ne, %[[D]], %c0
// CHECK: cf.assert %[[NZ]], "{{.*}}dimension 1 of input must be non-zero (hidden size)
// CHECK: %[[L:.*]] = tensor.dim %[[G]], %c0
// CHECK: %[[EQ:.*]] = arith.cmpi eq, %[[L]], %[[D]]
// CHECK: cf.assert %[[EQ]], "{{.*}}dimension 0 of gain must equal dimension 1 of input (hidden size)
// CHECK-NOT: cf.assert
func.func @rms_norm(%x: tensor<4x?xf32>, %g: tensor<?xf32>) -> tensor<4x?xf32> {
  %y = attnres.rms_norm %x, %g : tensor<4x?xf32>, tensor<?xf32>
  return %y : tensor<4x?xf32>
}

// -----

// Everything static: the verifier has checked it all, nothing to do at run
// time.
// CHECK-LABEL: func.func @static(
// CHECK-NOT: cf.assert
// CHECK: return
func.func @static(%q: tensor<8xf32>, %a: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %h = attnres.depth_attn %q, [%a, %b] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %y = attnres.rms_norm %h, %q : tensor<4x8xf32>, tensor<8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// The unfused steps: keys of one shape; the weights' token dims are the
// values' rows; the depth axis of the softmax is static (no check).
// CHECK-LABEL: func.func @unfused(
// CHECK: cf.assert %{{.*}}, "{{.*}}dimension 0 of key #1 must equal dimension 0 of key #0 (one shape for all keys)
// CHECK-NOT: cf.assert
// CHECK: attnres.depth_logits
// CHECK-NOT: cf.assert
// CHECK: attnres.depth_softmax
// CHECK: cf.assert %{{.*}}, "{{.*}}dimension 0 of value #1 must equal dimension 0 of value #0 (one shape for all values)
// CHECK: cf.assert %{{.*}}, "{{.*}}dimension 1 of weights must equal dimension 0 of value #0 (token dimension)
// CHECK-NOT: cf.assert
// CHECK: attnres.depth_combine
func.func @unfused(%w: tensor<8xf32>, %k0: tensor<?x8xf32>, %k1: tensor<?x8xf32>, %v0: tensor<?x8xf32>, %v1: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<8xf32>, tensor<?x8xf32> -> tensor<2x?xf32>
  %a = attnres.depth_softmax %s : tensor<2x?xf32>
  %h = attnres.depth_combine %a, [%v0, %v1] : tensor<2x?xf32>, tensor<?x8xf32> -> tensor<?x8xf32>
  return %h : tensor<?x8xf32>
}

// -----

// A dynamic depth axis must be non-empty.
// CHECK-LABEL: func.func @softmax(
// CHECK: %[[N:.*]] = tensor.dim %{{.*}}, %c0
// CHECK: %[[NZ:.*]] = arith.cmpi ne, %[[N]], %c0
// CHECK: cf.assert %[[NZ]], "{{.*}}dimension 0 of logits must be non-zero (depth axis)
func.func @softmax(%s: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %a = attnres.depth_softmax %s : tensor<?x4xf32>
  return %a : tensor<?x4xf32>
}

// -----

// Two-phase: block summaries of one shape; the phase-1 results are defined
// by the op (no check); merge: output and source rows, lse against the
// source's rows, the query against the hidden size.
// CHECK-LABEL: func.func @two_phase(
// CHECK: cf.assert %{{.*}}, "{{.*}}dimension 0 of source #1 must equal dimension 0 of source #0 (one shape for all sources)
// CHECK-NOT: cf.assert
// CHECK: attnres.depth_attn_stats
// CHECK: cf.assert %{{.*}}, "{{.*}}dimension 0 of output must equal dimension 0 of source (same shape)
// CHECK: cf.assert %{{.*}}, "{{.*}}dimension 0 of lse must equal dimension 0 of source (token dimension)
// CHECK-NOT: cf.assert
// CHECK: attnres.depth_attn_merge
func.func @two_phase(%qs: tensor<2x8xf32>, %b0: tensor<?x8xf32>, %b1: tensor<?x8xf32>, %q: tensor<8xf32>, %o: tensor<?x8xf32>, %lse: tensor<?xf32>, %u: tensor<?x8xf32>) -> (tensor<2x?x8xf32>, tensor<2x?xf32>, tensor<?x8xf32>) {
  %out, %l = attnres.depth_attn_stats %qs, [%b0, %b1] : tensor<2x8xf32>, tensor<?x8xf32> -> tensor<2x?x8xf32>, tensor<2x?xf32>
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<?x8xf32>, tensor<?xf32>, tensor<8xf32>, tensor<?x8xf32>
  return %out, %l, %h : tensor<2x?x8xf32>, tensor<2x?xf32>, tensor<?x8xf32>
}

// -----

// block_summary and a gradient op: the sublayer outputs, and the incoming
// gradient against the sources.
// CHECK-LABEL: func.func @summary_and_grad(
// CHECK: cf.assert %{{.*}}, "{{.*}}dimension 0 of output #1 must equal dimension 0 of output #0 (one shape for all outputs)
// CHECK: cf.assert %{{.*}}, "{{.*}}dimension 0 of output #2 must equal dimension 0 of output #0 (one shape for all outputs)
// CHECK-NOT: cf.assert
// CHECK: attnres.block_summary
// CHECK: cf.assert %{{.*}}, "{{.*}}dimension 0 of grad must equal dimension 0 of source #0 (same shape)
// CHECK-NOT: cf.assert
// CHECK: attnres.depth_attn_grad
func.func @summary_and_grad(%o0: tensor<?x8xf32>, %o1: tensor<?x8xf32>, %o2: tensor<?x8xf32>, %q: tensor<8xf32>, %v: tensor<?x8xf32>, %g: tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<8xf32>, tensor<?x8xf32>) {
  %b = attnres.block_summary [%o0, %o1, %o2] : tensor<?x8xf32>
  %dq, %dv = attnres.depth_attn_grad %q, [%v], %g : tensor<8xf32>, tensor<?x8xf32>, tensor<?x8xf32> -> tensor<8xf32>, tensor<?x8xf32>
  return %b, %dq, %dv : tensor<?x8xf32>, tensor<8xf32>, tensor<?x8xf32>
}

// -----

// Destinations: an init has the result's shape, so its dynamic rows must be
// the sources' (depth_attn, depth_attn_merge) or, behind the query count, the
// sources' (depth_attn_stats).
// CHECK-LABEL: func.func @destinations(
// CHECK: cf.assert %{{.*}}, "{{.*}}dimension 0 of init must equal dimension 0 of source #0 (same shape)
// CHECK-NOT: cf.assert
// CHECK: attnres.depth_attn %{{.*}} outs(
// CHECK: cf.assert %{{.*}}, "{{.*}}dimension 1 of output init must equal dimension 0 of source #0 (token dimension)
// CHECK: cf.assert %{{.*}}, "{{.*}}dimension 1 of lse init must equal dimension 0 of source #0 (token dimension)
// CHECK-NOT: cf.assert
// CHECK: attnres.depth_attn_stats
// CHECK: cf.assert %{{.*}}, "{{.*}}dimension 0 of output must equal dimension 0 of source (same shape)
// CHECK: cf.assert %{{.*}}, "{{.*}}dimension 0 of lse must equal dimension 0 of source (token dimension)
// CHECK: cf.assert %{{.*}}, "{{.*}}dimension 0 of init must equal dimension 0 of source (same shape)
// CHECK-NOT: cf.assert
// CHECK: attnres.depth_attn_merge
func.func @destinations(%q: tensor<8xf32>, %qs: tensor<2x8xf32>, %v: tensor<?x8xf32>, %i: tensor<?x8xf32>, %oi: tensor<2x?x8xf32>, %li: tensor<2x?xf32>, %o2: tensor<?x8xf32>, %lse: tensor<?xf32>, %u: tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<2x?x8xf32>, tensor<2x?xf32>, tensor<?x8xf32>) {
  %h = attnres.depth_attn %q, [%v] outs(%i : tensor<?x8xf32>) : tensor<8xf32>, tensor<?x8xf32> -> tensor<?x8xf32>
  %o, %l = attnres.depth_attn_stats %qs, [%v] outs(%oi, %li : tensor<2x?x8xf32>, tensor<2x?xf32>) : tensor<2x8xf32>, tensor<?x8xf32> -> tensor<2x?x8xf32>, tensor<2x?xf32>
  %m = attnres.depth_attn_merge %o2, %lse, %q, %u outs(%i : tensor<?x8xf32>) : tensor<?x8xf32>, tensor<?xf32>, tensor<8xf32>, tensor<?x8xf32>
  return %h, %o, %l, %m : tensor<?x8xf32>, tensor<2x?x8xf32>, tensor<2x?xf32>, tensor<?x8xf32>
}
