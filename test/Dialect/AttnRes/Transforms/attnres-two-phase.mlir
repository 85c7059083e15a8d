// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-two-phase))' --split-input-file | FileCheck %s --check-prefixes=CHECK,AUTO,TWOPHASE
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-two-phase{mode=force}))' --split-input-file | FileCheck %s --check-prefixes=CHECK,FORCE,TWOPHASE
// The output is valid IR that survives a round trip (custom and generic form).
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-two-phase{mode=force}))' --split-input-file | attnres-opt --split-input-file --verify-roundtrip > /dev/null
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-two-phase{mode=off}))' --split-input-file | FileCheck %s --check-prefixes=CHECK,OFF
// Idempotence: a second run changes nothing.
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-two-phase))' --split-input-file > %t.once.mlir
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-two-phase,attnres-two-phase))' --split-input-file > %t.twice.mlir
// RUN: diff %t.once.mlir %t.twice.mlir
// RUN: not attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-two-phase{mode=sometimes}))' --split-input-file 2>&1 | FileCheck %s --check-prefix=BADMODE
// BADMODE: for the --mode option: Cannot find option named 'sometimes'!

// One block with three completed blocks before it (3 shared sources): the
// first site takes the phase-1 row, the others merge their partial.
// CHECK-LABEL: func.func @block_of_three
// CHECK-SAME: (%[[B0:[^:]*]]: {{[^,]*}}, %[[B1:[^:]*]]: {{[^,]*}}, %[[B2:[^:]*]]: {{[^,]*}}, %[[Q1:[^:]*]]: {{[^,]*}}, %[[Q2:[^:]*]]: {{[^,]*}}, %[[Q3:[^:]*]]: tensor<8xf32>)
// AUTO: %[[E:.*]] = tensor.empty() : tensor<3x8xf32>
// AUTO: %[[I1:.*]] = tensor.insert_slice %[[Q1]] into %[[E]][0, 0] [1, 8] [1, 1]
// AUTO: %[[I2:.*]] = tensor.insert_slice %[[Q2]] into %[[I1]][1, 0] [1, 8] [1, 1]
// AUTO: %[[I3:.*]] = tensor.insert_slice %[[Q3]] into %[[I2]][2, 0] [1, 8] [1, 1]
// AUTO: %[[O:.*]], %[[LSE:.*]] = attnres.depth_attn_stats %[[I3]], [%[[B0]], %[[B1]], %[[B2]]] : tensor<3x8xf32>, tensor<4x8xf32> -> tensor<3x4x8xf32>, tensor<3x4xf32>
// AUTO: %[[H1:.*]] = tensor.extract_slice %[[O]][0, 0, 0] [1, 4, 8] [1, 1, 1]
// AUTO: %[[O1:.*]] = math.tanh %[[H1]]
// AUTO: %[[R2:.*]] = tensor.extract_slice %[[O]][1, 0, 0] [1, 4, 8] [1, 1, 1]
// AUTO: %[[L2:.*]] = tensor.extract_slice %[[LSE]][1, 0] [1, 4] [1, 1]
// AUTO: %[[H2:.*]] = attnres.depth_attn_merge %[[R2]], %[[L2]], %[[Q2]], %[[O1]]
// AUTO: %[[P2:.*]] = attnres.block_summary
// AUTO: %[[R3:.*]] = tensor.extract_slice %[[O]][2, 0, 0]
// AUTO: %[[L3:.*]] = tensor.extract_slice %[[LSE]][2, 0]
// AUTO: %[[H3:.*]] = attnres.depth_attn_merge %[[R3]], %[[L3]], %[[Q3]], %[[P2]]
// AUTO-NOT: attnres.depth_attn %
// AUTO: return %[[H3]]
// FORCE: attnres.depth_attn_stats
// FORCE-COUNT-2: attnres.depth_attn_merge
// OFF-NOT: attnres.depth_attn_stats
// OFF-COUNT-3: attnres.depth_attn %
func.func @block_of_three(%b0: tensor<4x8xf32>, %b1: tensor<4x8xf32>, %b2: tensor<4x8xf32>, %q1: tensor<8xf32>, %q2: tensor<8xf32>, %q3: tensor<8xf32>) -> tensor<4x8xf32> {
  %h1 = attnres.depth_attn %q1, [%b0, %b1, %b2] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %o1 = math.tanh %h1 : tensor<4x8xf32>
  %h2 = attnres.depth_attn %q2, [%b0, %b1, %b2, %o1] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %o2 = math.tanh %h2 : tensor<4x8xf32>
  %p2 = attnres.block_summary [%o1, %o2] : tensor<4x8xf32>
  %h3 = attnres.depth_attn %q3, [%b0, %b1, %b2, %p2] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h3 : tensor<4x8xf32>
}

// -----

// Two shared sources: the traffic model keeps the per-site form; force
// batches anyway.
// CHECK-LABEL: func.func @two_shared_sources
// AUTO-NOT: attnres.depth_attn_stats
// AUTO-COUNT-3: attnres.depth_attn %
// FORCE: attnres.depth_attn_stats %{{.*}}, [%{{.*}}, %{{.*}}] : tensor<3x8xf32>, tensor<?x8xbf16> -> tensor<3x?x8xbf16>, tensor<3x?xf32>
// FORCE-COUNT-2: attnres.depth_attn_merge
// FORCE-NOT: attnres.depth_attn %
func.func @two_shared_sources(%b0: tensor<?x8xbf16>, %b1: tensor<?x8xbf16>, %q1: tensor<8xf32>, %q2: tensor<8xf32>, %q3: tensor<8xf32>) -> tensor<?x8xbf16> {
  %h1 = attnres.depth_attn %q1, [%b0, %b1] : tensor<8xf32>, tensor<?x8xbf16> -> tensor<?x8xbf16>
  %h2 = attnres.depth_attn %q2, [%b0, %b1, %h1] : tensor<8xf32>, tensor<?x8xbf16> -> tensor<?x8xbf16>
  %p = attnres.block_summary [%h1, %h2] : tensor<?x8xbf16>
  %h3 = attnres.depth_attn %q3, [%b0, %b1, %p] : tensor<8xf32>, tensor<?x8xbf16> -> tensor<?x8xbf16>
  return %h3 : tensor<?x8xbf16>
}

// -----

// A site whose query depends on the group's first site stays per-site.
// CHECK-LABEL: func.func @late_query
// AUTO: attnres.depth_attn_stats %{{.*}}, [%{{.*}}, %{{.*}}, %{{.*}}] : tensor<2x8xf32>
// AUTO-COUNT-1: attnres.depth_attn_merge
// AUTO: attnres.depth_attn %[[LATE:.*]], [
func.func @late_query(%b0: tensor<4x8xf32>, %b1: tensor<4x8xf32>, %b2: tensor<4x8xf32>, %q1: tensor<8xf32>, %q2: tensor<8xf32>) -> tensor<4x8xf32> {
  %h1 = attnres.depth_attn %q1, [%b0, %b1, %b2] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %h2 = attnres.depth_attn %q2, [%b0, %b1, %b2, %h1] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %q3 = tensor.extract_slice %h1[0, 0] [1, 8] [1, 1] : tensor<4x8xf32> to tensor<8xf32>
  %p = attnres.block_summary [%h1, %h2] : tensor<4x8xf32>
  %h3 = attnres.depth_attn %q3, [%b0, %b1, %b2, %p] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h3 : tensor<4x8xf32>
}

// -----

// Sites with different eps do not share phase 1.
// CHECK-LABEL: func.func @negative_mixed_eps
// CHECK-NOT: attnres.depth_attn_stats
func.func @negative_mixed_eps(%b0: tensor<4x8xf32>, %b1: tensor<4x8xf32>, %b2: tensor<4x8xf32>, %q1: tensor<8xf32>, %q2: tensor<8xf32>) -> tensor<4x8xf32> {
  %h1 = attnres.depth_attn %q1, [%b0, %b1, %b2] {eps = 1.0e-06 : f32} : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %h2 = attnres.depth_attn %q2, [%b0, %b1, %b2, %h1] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h2 : tensor<4x8xf32>
}

// -----

// A lone site has nothing to share.
// CHECK-LABEL: func.func @negative_single_site
// CHECK-NOT: attnres.depth_attn_stats
// CHECK: attnres.depth_attn %
func.func @negative_single_site(%b0: tensor<4x8xf32>, %b1: tensor<4x8xf32>, %b2: tensor<4x8xf32>, %b3: tensor<4x8xf32>, %q1: tensor<8xf32>) -> tensor<4x8xf32> {
  %h1 = attnres.depth_attn %q1, [%b0, %b1, %b2, %b3] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h1 : tensor<4x8xf32>
}

// -----

// Queries sliced from a parameter tensor next to each site (as a frontend
// emits them) are hoisted before phase 1.
// CHECK-LABEL: func.func @hoisted_queries
// AUTO: %[[S1:.*]] = tensor.extract_slice %{{.*}}[0, 0] [1, 8]
// AUTO: %[[S2:.*]] = tensor.extract_slice %{{.*}}[1, 0] [1, 8]
// AUTO: %[[S3:.*]] = tensor.extract_slice %{{.*}}[2, 0] [1, 8]
// AUTO: attnres.depth_attn_stats
// AUTO-COUNT-2: attnres.depth_attn_merge
// AUTO-NOT: attnres.depth_attn %
func.func @hoisted_queries(%b0: tensor<4x8xf32>, %b1: tensor<4x8xf32>, %b2: tensor<4x8xf32>, %qs: tensor<3x8xf32>) -> tensor<4x8xf32> {
  %q1 = tensor.extract_slice %qs[0, 0] [1, 8] [1, 1] : tensor<3x8xf32> to tensor<8xf32>
  %h1 = attnres.depth_attn %q1, [%b0, %b1, %b2] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %q2 = tensor.extract_slice %qs[1, 0] [1, 8] [1, 1] : tensor<3x8xf32> to tensor<8xf32>
  %h2 = attnres.depth_attn %q2, [%b0, %b1, %b2, %h1] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %p = attnres.block_summary [%h1, %h2] : tensor<4x8xf32>
  %q3 = tensor.extract_slice %qs[2, 0] [1, 8] [1, 1] : tensor<3x8xf32> to tensor<8xf32>
  %h3 = attnres.depth_attn %q3, [%b0, %b1, %b2, %p] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h3 : tensor<4x8xf32>
}

// -----

// Zero token rows: every site is an empty tensor and there is nothing to
// share; the sites stay per-site (and lower to empty results). Slicing the
// phase-1 output would need a static offset 0 into a dim of size 0, which
// tensor.extract_slice rejects.
// CHECK-LABEL: func.func @negative_zero_rows
// CHECK-NOT: attnres.depth_attn_stats
// CHECK-COUNT-3: attnres.depth_attn %
// CHECK-NOT: tensor.extract_slice
func.func @negative_zero_rows(%b0: tensor<0x16xf32>, %b1: tensor<0x16xf32>, %b2: tensor<0x16xf32>, %q1: tensor<16xf32>, %q2: tensor<16xf32>, %q3: tensor<16xf32>) -> tensor<0x16xf32> {
  %h1 = attnres.depth_attn %q1, [%b0, %b1, %b2] : tensor<16xf32>, tensor<0x16xf32> -> tensor<0x16xf32>
  %h2 = attnres.depth_attn %q2, [%b0, %b1, %b2, %h1] : tensor<16xf32>, tensor<0x16xf32> -> tensor<0x16xf32>
  %p = attnres.block_summary [%h1, %h2] : tensor<0x16xf32>
  %h3 = attnres.depth_attn %q3, [%b0, %b1, %b2, %p] : tensor<16xf32>, tensor<0x16xf32> -> tensor<0x16xf32>
  return %h3 : tensor<0x16xf32>
}

// -----

// The same with token dims mixing dynamic and zero sizes.
// CHECK-LABEL: func.func @negative_zero_rows_mixed
// CHECK-NOT: attnres.depth_attn_stats
// CHECK-COUNT-3: attnres.depth_attn %
func.func @negative_zero_rows_mixed(%b0: tensor<2x?x0x16xf32>, %b1: tensor<2x?x0x16xf32>, %b2: tensor<2x?x0x16xf32>, %q1: tensor<16xf32>, %q2: tensor<16xf32>, %q3: tensor<16xf32>) -> tensor<2x?x0x16xf32> {
  %h1 = attnres.depth_attn %q1, [%b0, %b1, %b2] : tensor<16xf32>, tensor<2x?x0x16xf32> -> tensor<2x?x0x16xf32>
  %h2 = attnres.depth_attn %q2, [%b0, %b1, %b2, %h1] : tensor<16xf32>, tensor<2x?x0x16xf32> -> tensor<2x?x0x16xf32>
  %p = attnres.block_summary [%h1, %h2] : tensor<2x?x0x16xf32>
  %h3 = attnres.depth_attn %q3, [%b0, %b1, %b2, %p] : tensor<16xf32>, tensor<2x?x0x16xf32> -> tensor<2x?x0x16xf32>
  return %h3 : tensor<2x?x0x16xf32>
}

// -----

// Queries of dynamic length with a static D: each query is cast to
// tensor<16xf32> before it is inserted into the static queries tensor; the
// merges take the query as it is.
// CHECK-LABEL: func.func @dynamic_length_query
// CHECK-SAME: (%[[B0:[^:]*]]: {{[^,]*}}, %[[B1:[^:]*]]: {{[^,]*}}, %[[B2:[^:]*]]: {{[^,]*}}, %[[Q1:[^:]*]]: {{[^,]*}}, %[[Q2:[^:]*]]: {{[^,]*}}, %[[Q3:[^:]*]]: tensor<?xf32>)
// TWOPHASE: %[[E:.*]] = tensor.empty() : tensor<3x16xf32>
// TWOPHASE: %[[C1:.*]] = tensor.cast %[[Q1]] : tensor<?xf32> to tensor<16xf32>
// TWOPHASE: %[[I1:.*]] = tensor.insert_slice %[[C1]] into %[[E]][0, 0] [1, 16] [1, 1] : tensor<16xf32> into tensor<3x16xf32>
// TWOPHASE: %[[C2:.*]] = tensor.cast %[[Q2]] : tensor<?xf32> to tensor<16xf32>
// TWOPHASE: %[[I2:.*]] = tensor.insert_slice %[[C2]] into %[[I1]][1, 0] [1, 16] [1, 1]
// TWOPHASE: %[[C3:.*]] = tensor.cast %[[Q3]] : tensor<?xf32> to tensor<16xf32>
// TWOPHASE: %[[I3:.*]] = tensor.insert_slice %[[C3]] into %[[I2]][2, 0] [1, 16] [1, 1]
// TWOPHASE: %[[O:.*]], %[[LSE:.*]] = attnres.depth_attn_stats %[[I3]], [%[[B0]], %[[B1]], %[[B2]]] : tensor<3x16xf32>, tensor<4x16xf32> -> tensor<3x4x16xf32>, tensor<3x4xf32>
// TWOPHASE: attnres.depth_attn_merge %{{.*}}, %{{.*}}, %[[Q2]], %{{.*}} : tensor<4x16xf32>, tensor<4xf32>, tensor<?xf32>, tensor<4x16xf32>
// TWOPHASE: attnres.depth_attn_merge %{{.*}}, %{{.*}}, %[[Q3]], %{{.*}} : tensor<4x16xf32>, tensor<4xf32>, tensor<?xf32>, tensor<4x16xf32>
// TWOPHASE-NOT: attnres.depth_attn %
// OFF-COUNT-3: attnres.depth_attn %
func.func @dynamic_length_query(%b0: tensor<4x16xf32>, %b1: tensor<4x16xf32>, %b2: tensor<4x16xf32>, %q1: tensor<?xf32>, %q2: tensor<?xf32>, %q3: tensor<?xf32>) -> tensor<4x16xf32> {
  %h1 = attnres.depth_attn %q1, [%b0, %b1, %b2] : tensor<?xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
  %h2 = attnres.depth_attn %q2, [%b0, %b1, %b2, %h1] : tensor<?xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
  %p = attnres.block_summary [%h1, %h2] : tensor<4x16xf32>
  %h3 = attnres.depth_attn %q3, [%b0, %b1, %b2, %p] : tensor<?xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
  return %h3 : tensor<4x16xf32>
}

// -----

// A static query with a dynamic D: the queries tensor takes the query's
// static length. (auto: a dynamic D counts as D = 1, too small to pay off.)
// CHECK-LABEL: func.func @static_query_dynamic_hidden
// AUTO-NOT: attnres.depth_attn_stats
// FORCE: %[[E:.*]] = tensor.empty() : tensor<3x8xf32>
// FORCE: tensor.insert_slice %{{.*}} into %[[E]][0, 0] [1, 8] [1, 1] : tensor<8xf32> into tensor<3x8xf32>
// FORCE: attnres.depth_attn_stats %{{.*}} : tensor<3x8xf32>, tensor<4x?xf32> -> tensor<3x4x?xf32>, tensor<3x4xf32>
// FORCE-COUNT-2: attnres.depth_attn_merge
func.func @static_query_dynamic_hidden(%b0: tensor<4x?xf32>, %b1: tensor<4x?xf32>, %b2: tensor<4x?xf32>, %q1: tensor<8xf32>, %q2: tensor<8xf32>, %q3: tensor<8xf32>) -> tensor<4x?xf32> {
  %h1 = attnres.depth_attn %q1, [%b0, %b1, %b2] : tensor<8xf32>, tensor<4x?xf32> -> tensor<4x?xf32>
  %h2 = attnres.depth_attn %q2, [%b0, %b1, %b2, %h1] : tensor<8xf32>, tensor<4x?xf32> -> tensor<4x?xf32>
  %p = attnres.block_summary [%h1, %h2] : tensor<4x?xf32>
  %h3 = attnres.depth_attn %q3, [%b0, %b1, %b2, %p] : tensor<8xf32>, tensor<4x?xf32> -> tensor<4x?xf32>
  return %h3 : tensor<4x?xf32>
}

// -----

// Query length and D both dynamic: the rows of the queries tensor take D
// from the first shared source.
// CHECK-LABEL: func.func @dynamic_query_dynamic_hidden
// FORCE: %[[D:.*]] = tensor.dim %{{.*}}, %{{.*}} : tensor<4x?xf32>
// FORCE: %[[E:.*]] = tensor.empty(%[[D]]) : tensor<3x?xf32>
// FORCE: tensor.insert_slice %{{.*}} into %[[E]][0, 0] [1, %[[D]]] [1, 1] : tensor<?xf32> into tensor<3x?xf32>
// FORCE: attnres.depth_attn_stats %{{.*}} : tensor<3x?xf32>, tensor<4x?xf32> -> tensor<3x4x?xf32>, tensor<3x4xf32>
// FORCE-COUNT-2: attnres.depth_attn_merge
func.func @dynamic_query_dynamic_hidden(%b0: tensor<4x?xf32>, %b1: tensor<4x?xf32>, %b2: tensor<4x?xf32>, %q1: tensor<?xf32>, %q2: tensor<?xf32>, %q3: tensor<?xf32>) -> tensor<4x?xf32> {
  %h1 = attnres.depth_attn %q1, [%b0, %b1, %b2] : tensor<?xf32>, tensor<4x?xf32> -> tensor<4x?xf32>
  %h2 = attnres.depth_attn %q2, [%b0, %b1, %b2, %h1] : tensor<?xf32>, tensor<4x?xf32> -> tensor<4x?xf32>
  %p = attnres.block_summary [%h1, %h2] : tensor<4x?xf32>
  %h3 = attnres.depth_attn %q3, [%b0, %b1, %b2, %p] : tensor<?xf32>, tensor<4x?xf32> -> tensor<4x?xf32>
  return %h3 : tensor<4x?xf32>
}

// -----

// Each source spans 2^62 bytes (2^58 rows of 4 f32), but the phase-1 output
// of three queries would span 3 * 2^62 bytes, past what 64-bit offsets
// address: the group stays per-site.
// CHECK-LABEL: func.func @negative_phase1_too_large
// CHECK-NOT: attnres.depth_attn_stats
// CHECK-COUNT-3: attnres.depth_attn %
func.func @negative_phase1_too_large(%b0: tensor<288230376151711744x4xf32>, %b1: tensor<288230376151711744x4xf32>, %b2: tensor<288230376151711744x4xf32>, %q1: tensor<4xf32>, %q2: tensor<4xf32>, %q3: tensor<4xf32>) -> tensor<288230376151711744x4xf32> {
  %h1 = attnres.depth_attn %q1, [%b0, %b1, %b2] : tensor<4xf32>, tensor<288230376151711744x4xf32> -> tensor<288230376151711744x4xf32>
  %h2 = attnres.depth_attn %q2, [%b0, %b1, %b2, %h1] : tensor<4xf32>, tensor<288230376151711744x4xf32> -> tensor<288230376151711744x4xf32>
  %p = attnres.block_summary [%h1, %h2] : tensor<288230376151711744x4xf32>
  %h3 = attnres.depth_attn %q3, [%b0, %b1, %b2, %p] : tensor<4xf32>, tensor<288230376151711744x4xf32> -> tensor<288230376151711744x4xf32>
  return %h3 : tensor<288230376151711744x4xf32>
}

// -----

// Rows of 2^58 f32 (2^60 bytes): the traffic estimate saturates (checked
// arithmetic); auto then compares rows moved (12 vs 14 per token) and
// batches. The phase-1 output (3 * 2^60 bytes) is addressable.
// CHECK-LABEL: func.func @huge_rows_traffic
// TWOPHASE: attnres.depth_attn_stats %{{.*}} : tensor<3x288230376151711744xf32>, tensor<1x288230376151711744xf32> -> tensor<3x1x288230376151711744xf32>, tensor<3x1xf32>
// TWOPHASE-COUNT-2: attnres.depth_attn_merge
func.func @huge_rows_traffic(%b0: tensor<1x288230376151711744xf32>, %b1: tensor<1x288230376151711744xf32>, %b2: tensor<1x288230376151711744xf32>, %q1: tensor<288230376151711744xf32>, %q2: tensor<288230376151711744xf32>, %q3: tensor<288230376151711744xf32>) -> tensor<1x288230376151711744xf32> {
  %h1 = attnres.depth_attn %q1, [%b0, %b1, %b2] : tensor<288230376151711744xf32>, tensor<1x288230376151711744xf32> -> tensor<1x288230376151711744xf32>
  %h2 = attnres.depth_attn %q2, [%b0, %b1, %b2, %h1] : tensor<288230376151711744xf32>, tensor<1x288230376151711744xf32> -> tensor<1x288230376151711744xf32>
  %p = attnres.block_summary [%h1, %h2] : tensor<1x288230376151711744xf32>
  %h3 = attnres.depth_attn %q3, [%b0, %b1, %b2, %p] : tensor<288230376151711744xf32>, tensor<1x288230376151711744xf32> -> tensor<1x288230376151711744xf32>
  return %h3 : tensor<1x288230376151711744xf32>
}
