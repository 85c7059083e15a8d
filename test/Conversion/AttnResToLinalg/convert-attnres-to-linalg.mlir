// RUN: attnres-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(convert-attnres-to-linalg))' | FileCheck %s
// RUN: attnres-opt %s -split-input-file --pass-pipeline='builtin.module(any(convert-attnres-to-linalg))' | FileCheck %s
// RUN: attnres-opt %s -split-input-file --pass-pipeline='builtin.module(gpu.module(gpu.func(convert-attnres-to-linalg)))' | FileCheck %s --check-prefix=GPU

// Checks the structure of each lowering, not every line: which generics, what
// they read, their iterator types, where f16/bf16 are extended and truncated.

//===----------------------------------------------------------------------===//
// depth_attn
//===----------------------------------------------------------------------===//

// One reduction generic reads every source once (and the query) and yields
// Σv² and Σq·v per row; an elementwise generic turns them into softmax
// weights; a third generic forms the weighted sum of the raw sources. No
// concatenation, no normalized keys in memory.
// CHECK-DAG:   #[[$ID:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG:   #[[$COL:map[0-9]*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG:   #[[$ROW:map[0-9]*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG:   #[[$ID1:map[0-9]*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @depth_attn_f32(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<64xf32>, %[[V0:[^:]+]]: tensor<8x64xf32>, %[[V1:[^:]+]]: tensor<8x64xf32>)
// CHECK-NOT:     attnres.
// CHECK-NOT:     tensor.concat
// CHECK-NOT:     linalg.generic
// CHECK:         %[[STATS:.+]]:4 = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID]], #[[$ID]], #[[$COL]], #[[$ROW]], #[[$ROW]], #[[$ROW]], #[[$ROW]]]
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%[[V0]], %[[V1]], %[[Q]] : tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>)
// CHECK-SAME:      outs({{.*}} : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
// CHECK-NOT:     arith.extf
// CHECK-NOT:     linalg.generic
// CHECK:         %[[W:.+]]:2 = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID1]], #[[$ID1]], #[[$ID1]], #[[$ID1]], #[[$ID1]], #[[$ID1]]]
// CHECK-SAME:      iterator_types = ["parallel"]
// CHECK-SAME:      ins(%[[STATS]]#0, %[[STATS]]#1, %[[STATS]]#2, %[[STATS]]#3 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
// CHECK-SAME:      outs({{.*}} : tensor<8xf32>, tensor<8xf32>)
// The default eps and 1/D = 1/64.
// CHECK-DAG:       arith.constant 9.99999974E-6 : f32
// CHECK-DAG:       arith.constant 1.562500e-02 : f32
// CHECK:           math.rsqrt
// CHECK:           arith.maximumf
// CHECK:           math.exp
// CHECK-NOT:     linalg.generic
// CHECK:         %[[H:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ROW]], #[[$ROW]], #[[$ID]], #[[$ID]], #[[$ID]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      ins(%[[W]]#0, %[[W]]#1, %[[V0]], %[[V1]] : tensor<8xf32>, tensor<8xf32>, tensor<8x64xf32>, tensor<8x64xf32>)
// CHECK-SAME:      outs(%{{.+}} : tensor<8x64xf32>)
// CHECK-NOT:     arith.truncf
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[H]] : tensor<8x64xf32>
func.func @depth_attn_f32(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

// -----

// bf16 sources with an f32 query and dynamic token dims: sizes come from
// tensor.dim of the first source, sources are extended on load and the result
// is truncated once on store.
// CHECK-LABEL: func.func @depth_attn_bf16_dynamic_rank3(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<64xf32>, %[[V0:[^:]+]]: tensor<?x?x64xbf16>, %[[V1:[^:]+]]: tensor<?x?x64xbf16>, %[[V2:[^:]+]]: tensor<?x?x64xbf16>)
// CHECK-DAG:     %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG:     %[[D0:.+]] = tensor.dim %[[V0]], %[[C0]] : tensor<?x?x64xbf16>
// CHECK-DAG:     %[[D1:.+]] = tensor.dim %[[V0]], %[[C1]] : tensor<?x?x64xbf16>
// CHECK:         tensor.empty(%[[D0]], %[[D1]]) : tensor<?x?xf32>
// CHECK:         %[[STATS:.+]]:6 = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[V0]], %[[V1]], %[[V2]], %[[Q]] : tensor<?x?x64xbf16>, tensor<?x?x64xbf16>, tensor<?x?x64xbf16>, tensor<64xf32>)
// CHECK:           ^bb0(%{{.+}}: bf16, %{{.+}}: bf16, %{{.+}}: bf16, %{{.+}}: f32,
// CHECK-COUNT-3:   arith.extf %{{.+}} : bf16 to f32
// CHECK-NOT:       arith.extf
// CHECK:           linalg.yield
// CHECK:         %[[W:.+]]:3 = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      ins(%[[STATS]]#0, %[[STATS]]#1, %[[STATS]]#2, %[[STATS]]#3, %[[STATS]]#4, %[[STATS]]#5 :
// CHECK-SAME:      outs({{.*}} : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>)
// CHECK-NOT:       arith.extf
// CHECK-NOT:       arith.truncf
// CHECK:         %[[INIT:.+]] = tensor.empty(%{{.+}}, %{{.+}}) : tensor<?x?x64xbf16>
// CHECK:         %[[H:.+]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[W]]#0, %[[W]]#1, %[[W]]#2, %[[V0]], %[[V1]], %[[V2]] :
// CHECK-SAME:      outs(%[[INIT]] : tensor<?x?x64xbf16>)
// CHECK-COUNT-3:   arith.extf %{{.+}} : bf16 to f32
// CHECK:           %[[T:.+]] = arith.truncf %{{.+}} : f32 to bf16
// CHECK-NEXT:      linalg.yield %[[T]] : bf16
// CHECK:         return %[[H]] : tensor<?x?x64xbf16>
func.func @depth_attn_bf16_dynamic_rank3(%q: tensor<64xf32>, %v0: tensor<?x?x64xbf16>, %v1: tensor<?x?x64xbf16>,
                                         %v2: tensor<?x?x64xbf16>) -> tensor<?x?x64xbf16> {
  %h = attnres.depth_attn %q, [%v0, %v1, %v2] : tensor<64xf32>, tensor<?x?x64xbf16> -> tensor<?x?x64xbf16>
  return %h : tensor<?x?x64xbf16>
}

// -----

// f16 rank-1 sources (no token dims): the statistics are 0-d, the softmax
// generic has no loops, the query is extended too. A non-default eps reaches
// the weights generic.
// CHECK-LABEL: func.func @depth_attn_f16_rank1_eps(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<32xf16>, %[[V0:[^:]+]]: tensor<32xf16>, %[[V1:[^:]+]]: tensor<32xf16>)
// CHECK-NOT:     tensor.dim
// CHECK:         %[[STATS:.+]]:4 = linalg.generic
// CHECK-SAME:      iterator_types = ["reduction"]
// CHECK-SAME:      ins(%[[V0]], %[[V1]], %[[Q]] : tensor<32xf16>, tensor<32xf16>, tensor<32xf16>)
// CHECK-SAME:      outs({{.*}} : tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>)
// CHECK-COUNT-3:   arith.extf %{{.+}} : f16 to f32
// CHECK:         %[[W:.+]]:2 = linalg.generic
// CHECK-SAME:      iterator_types = []
// CHECK-DAG:       arith.constant 1.000000e-03 : f32
// CHECK-DAG:       arith.constant 3.125000e-02 : f32
// CHECK:         %[[H:.+]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel"]
// CHECK-SAME:      ins(%[[W]]#0, %[[W]]#1, %[[V0]], %[[V1]] : tensor<f32>, tensor<f32>, tensor<32xf16>, tensor<32xf16>)
// CHECK:           arith.truncf %{{.+}} : f32 to f16
// CHECK:         return %[[H]] : tensor<32xf16>
func.func @depth_attn_f16_rank1_eps(%q: tensor<32xf16>, %v0: tensor<32xf16>, %v1: tensor<32xf16>) -> tensor<32xf16> {
  %h = attnres.depth_attn %q, [%v0, %v1] {eps = 1.0e-03 : f32} : tensor<32xf16>, tensor<32xf16> -> tensor<32xf16>
  return %h : tensor<32xf16>
}

// -----

//===----------------------------------------------------------------------===//
// rms_norm
//===----------------------------------------------------------------------===//

// A reduction generic for Σx² (one output, no query), then an elementwise
// generic scaling by rsqrt and the gain.
// CHECK-DAG:   #[[$ID:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG:   #[[$COL:map[0-9]*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG:   #[[$ROW:map[0-9]*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @rms_norm_bf16_dynamic(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<?x64xbf16>, %[[G:[^:]+]]: tensor<64xf32>)
// CHECK:         %[[D0:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x64xbf16>
// CHECK:         %[[SS:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID]], #[[$ROW]]]
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%[[X]] : tensor<?x64xbf16>)
// CHECK-SAME:      outs({{.*}} : tensor<?xf32>)
// CHECK:           arith.extf %{{.+}} : bf16 to f32
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID]], #[[$ROW]], #[[$COL]], #[[$ID]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      ins(%[[X]], %[[SS]], %[[G]] : tensor<?x64xbf16>, tensor<?xf32>, tensor<64xf32>)
// CHECK-SAME:      outs({{.*}} : tensor<?x64xbf16>)
// CHECK-DAG:       arith.constant 1.000000e-03 : f32
// CHECK-DAG:       arith.constant 1.562500e-02 : f32
// CHECK:           math.rsqrt
// CHECK:           arith.truncf %{{.+}} : f32 to bf16
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[Y]] : tensor<?x64xbf16>
func.func @rms_norm_bf16_dynamic(%x: tensor<?x64xbf16>, %g: tensor<64xf32>) -> tensor<?x64xbf16> {
  %y = attnres.rms_norm %x, %g {eps = 1.0e-03 : f32} : tensor<?x64xbf16>, tensor<64xf32>
  return %y : tensor<?x64xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// depth_logits
//===----------------------------------------------------------------------===//

// Dots only (no Σk², no rsqrt), one generic over all keys, each row inserted
// at its source index of the [N, T...] result.
// CHECK-LABEL: func.func @depth_logits_f16_dynamic(
// CHECK-SAME:    %[[W:[^:]+]]: tensor<64xf32>, %[[K0:[^:]+]]: tensor<?x64xf16>, %[[K1:[^:]+]]: tensor<?x64xf16>)
// CHECK:         %[[DOTS:.+]]:2 = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%[[K0]], %[[K1]], %[[W]] : tensor<?x64xf16>, tensor<?x64xf16>, tensor<64xf32>)
// CHECK-SAME:      outs({{.*}} : tensor<?xf32>, tensor<?xf32>)
// CHECK-COUNT-2:   arith.extf %{{.+}} : f16 to f32
// CHECK-NOT:     math.rsqrt
// CHECK:         %[[D:.+]] = tensor.dim %[[K0]], %{{.+}} : tensor<?x64xf16>
// CHECK:         %[[E:.+]] = tensor.empty(%[[D]]) : tensor<2x?xf32>
// CHECK:         %[[S0:.+]] = tensor.insert_slice %[[DOTS]]#0 into %[[E]][0, 0] [1, %[[D]]] [1, 1] : tensor<?xf32> into tensor<2x?xf32>
// CHECK:         %[[S1:.+]] = tensor.insert_slice %[[DOTS]]#1 into %[[S0]][1, 0] [1, %[[D]]] [1, 1] : tensor<?xf32> into tensor<2x?xf32>
// CHECK:         return %[[S1]] : tensor<2x?xf32>
func.func @depth_logits_f16_dynamic(%w: tensor<64xf32>, %k0: tensor<?x64xf16>, %k1: tensor<?x64xf16>) -> tensor<2x?xf32> {
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<64xf32>, tensor<?x64xf16> -> tensor<2x?xf32>
  return %s : tensor<2x?xf32>
}

// -----

// The logits never divide by D, so a dynamic hidden size lowers.
// CHECK-LABEL: func.func @depth_logits_dynamic_hidden(
// CHECK-SAME:    %[[W:[^:]+]]: tensor<?xf32>, %[[K0:[^:]+]]: tensor<8x?xf32>)
// CHECK-NOT:     attnres.
// CHECK:         %[[DOT:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[K0]], %[[W]] : tensor<8x?xf32>, tensor<?xf32>)
// CHECK:         tensor.insert_slice %[[DOT]] into %{{.+}}[0, 0] [1, 8] [1, 1] : tensor<8xf32> into tensor<1x8xf32>
func.func @depth_logits_dynamic_hidden(%w: tensor<?xf32>, %k0: tensor<8x?xf32>) -> tensor<1x8xf32> {
  %s = attnres.depth_logits %w, [%k0] : tensor<?xf32>, tensor<8x?xf32> -> tensor<1x8xf32>
  return %s : tensor<1x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// depth_softmax
//===----------------------------------------------------------------------===//

// Max over dim 0 (a reduction), Σexp over dim 0 (a reduction), then an
// elementwise normalization.
// CHECK-DAG:   #[[$ID:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG:   #[[$ROWS:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @depth_softmax_dynamic(
// CHECK-SAME:    %[[S:[^:]+]]: tensor<3x?x8xf32>)
// CHECK:         %[[NEG_INF:.+]] = arith.constant 0xFF800000 : f32
// CHECK:         %[[MAX_INIT:.+]] = linalg.fill ins(%[[NEG_INF]] : f32) outs(%{{.+}} : tensor<?x8xf32>)
// CHECK:         %[[MAX:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID]], #[[$ROWS]]]
// CHECK-SAME:      iterator_types = ["reduction", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[S]] : tensor<3x?x8xf32>) outs(%[[MAX_INIT]] : tensor<?x8xf32>)
// CHECK:           arith.maximumf
// CHECK:         %[[SUM:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID]], #[[$ROWS]], #[[$ROWS]]]
// CHECK-SAME:      iterator_types = ["reduction", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[S]], %[[MAX]] : tensor<3x?x8xf32>, tensor<?x8xf32>)
// CHECK:           math.exp
// CHECK:         %[[A:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID]], #[[$ROWS]], #[[$ROWS]], #[[$ID]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[S]], %[[MAX]], %[[SUM]] : tensor<3x?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>)
// CHECK:           math.exp
// CHECK:           arith.divf
// CHECK:         return %[[A]] : tensor<3x?x8xf32>
func.func @depth_softmax_dynamic(%s: tensor<3x?x8xf32>) -> tensor<3x?x8xf32> {
  %a = attnres.depth_softmax %s : tensor<3x?x8xf32>
  return %a : tensor<3x?x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// depth_combine
//===----------------------------------------------------------------------===//

// One rank-reducing slice of the weights per value, then one weighted-sum
// generic.
// CHECK-LABEL: func.func @depth_combine_f16(
// CHECK-SAME:    %[[A:[^:]+]]: tensor<3x8xf32>, %[[V0:[^:]+]]: tensor<8x64xf16>, %[[V1:[^:]+]]: tensor<8x64xf16>, %[[V2:[^:]+]]: tensor<8x64xf16>)
// CHECK-DAG:     %[[A0:.+]] = tensor.extract_slice %[[A]][0, 0] [1, 8] [1, 1] : tensor<3x8xf32> to tensor<8xf32>
// CHECK-DAG:     %[[A1:.+]] = tensor.extract_slice %[[A]][1, 0] [1, 8] [1, 1] : tensor<3x8xf32> to tensor<8xf32>
// CHECK-DAG:     %[[A2:.+]] = tensor.extract_slice %[[A]][2, 0] [1, 8] [1, 1] : tensor<3x8xf32> to tensor<8xf32>
// CHECK:         %[[H:.+]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      ins(%[[A0]], %[[A1]], %[[A2]], %[[V0]], %[[V1]], %[[V2]] : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8x64xf16>, tensor<8x64xf16>, tensor<8x64xf16>)
// CHECK-SAME:      outs({{.*}} : tensor<8x64xf16>)
// CHECK-COUNT-3:   arith.extf %{{.+}} : f16 to f32
// CHECK:           arith.truncf %{{.+}} : f32 to f16
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[H]] : tensor<8x64xf16>
func.func @depth_combine_f16(%a: tensor<3x8xf32>, %v0: tensor<8x64xf16>, %v1: tensor<8x64xf16>,
                             %v2: tensor<8x64xf16>) -> tensor<8x64xf16> {
  %h = attnres.depth_combine %a, [%v0, %v1, %v2] : tensor<3x8xf32>, tensor<8x64xf16> -> tensor<8x64xf16>
  return %h : tensor<8x64xf16>
}

// -----

// Rank-1 values: the weight slices are 0-d.
// CHECK-LABEL: func.func @depth_combine_rank1(
// CHECK-SAME:    %[[A:[^:]+]]: tensor<2xf32>, %[[V0:[^:]+]]: tensor<64xf32>, %[[V1:[^:]+]]: tensor<64xf32>)
// CHECK-DAG:     %[[A0:.+]] = tensor.extract_slice %[[A]][0] [1] [1] : tensor<2xf32> to tensor<f32>
// CHECK-DAG:     %[[A1:.+]] = tensor.extract_slice %[[A]][1] [1] [1] : tensor<2xf32> to tensor<f32>
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel"]
// CHECK-SAME:      ins(%[[A0]], %[[A1]], %[[V0]], %[[V1]] : tensor<f32>, tensor<f32>, tensor<64xf32>, tensor<64xf32>)
func.func @depth_combine_rank1(%a: tensor<2xf32>, %v0: tensor<64xf32>, %v1: tensor<64xf32>) -> tensor<64xf32> {
  %h = attnres.depth_combine %a, [%v0, %v1] : tensor<2xf32>, tensor<64xf32> -> tensor<64xf32>
  return %h : tensor<64xf32>
}

// -----

//===----------------------------------------------------------------------===//
// block_summary
//===----------------------------------------------------------------------===//

// One elementwise generic, accumulated in f32 and rounded once.
// CHECK-LABEL: func.func @block_summary_bf16(
// CHECK-SAME:    %[[O0:[^:]+]]: tensor<?x64xbf16>, %[[O1:[^:]+]]: tensor<?x64xbf16>, %[[O2:[^:]+]]: tensor<?x64xbf16>)
// CHECK:         %[[D:.+]] = tensor.dim %[[O0]], %{{.+}} : tensor<?x64xbf16>
// CHECK:         %[[E:.+]] = tensor.empty(%[[D]]) : tensor<?x64xbf16>
// CHECK:         %[[B:.+]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      ins(%[[O0]], %[[O1]], %[[O2]] : tensor<?x64xbf16>, tensor<?x64xbf16>, tensor<?x64xbf16>) outs(%[[E]] : tensor<?x64xbf16>)
// CHECK:           arith.extf %{{.+}} : bf16 to f32
// CHECK:           arith.extf %{{.+}} : bf16 to f32
// CHECK:           arith.addf %{{.+}}, %{{.+}} : f32
// CHECK:           arith.extf %{{.+}} : bf16 to f32
// CHECK:           arith.addf %{{.+}}, %{{.+}} : f32
// CHECK-NEXT:      %[[T:.+]] = arith.truncf %{{.+}} : f32 to bf16
// CHECK-NEXT:      linalg.yield %[[T]] : bf16
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[B]] : tensor<?x64xbf16>
func.func @block_summary_bf16(%o0: tensor<?x64xbf16>, %o1: tensor<?x64xbf16>, %o2: tensor<?x64xbf16>) -> tensor<?x64xbf16> {
  %b = attnres.block_summary [%o0, %o1, %o2] : tensor<?x64xbf16>
  return %b : tensor<?x64xbf16>
}

// -----

// f32 has no conversions at all.
// CHECK-LABEL: func.func @block_summary_f32(
// CHECK-NOT:     arith.extf
// CHECK-NOT:     arith.truncf
// CHECK:         linalg.generic
// CHECK-NOT:     arith.extf
// CHECK-NOT:     arith.truncf
// CHECK:         return
func.func @block_summary_f32(%o0: tensor<8x64xf32>, %o1: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %b = attnres.block_summary [%o0, %o1] : tensor<8x64xf32>
  return %b : tensor<8x64xf32>
}

// -----

//===----------------------------------------------------------------------===//
// depth_attn_stats
//===----------------------------------------------------------------------===//

// Σv² per source row (shared by all queries), Q·v over (s, t, c), softmax
// weights and LSE over (s, t), weighted sum over (s, t, c).
// CHECK-DAG:   #[[$ID2:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG:   #[[$ROW2:map[0-9]*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG:   #[[$TOK2:map[0-9]*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG:   #[[$SRC3:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG:   #[[$QRY3:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG:   #[[$ST3:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG:   #[[$ID3:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @depth_attn_stats_bf16(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<4x64xf32>, %[[B0:[^:]+]]: tensor<8x64xbf16>, %[[B1:[^:]+]]: tensor<8x64xbf16>)
// CHECK:         %[[SS:.+]]:2 = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID2]], #[[$ID2]], #[[$ROW2]], #[[$ROW2]]]
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%[[B0]], %[[B1]] : tensor<8x64xbf16>, tensor<8x64xbf16>)
// CHECK-SAME:      outs({{.*}} : tensor<8xf32>, tensor<8xf32>)
// CHECK:         %[[DOT:.+]]:2 = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$SRC3]], #[[$SRC3]], #[[$QRY3]], #[[$ST3]], #[[$ST3]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[B0]], %[[B1]], %[[Q]] : tensor<8x64xbf16>, tensor<8x64xbf16>, tensor<4x64xf32>)
// CHECK-SAME:      outs({{.*}} : tensor<4x8xf32>, tensor<4x8xf32>)
// CHECK:         %[[W:.+]]:3 = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$TOK2]], #[[$TOK2]], #[[$ID2]], #[[$ID2]], #[[$ID2]], #[[$ID2]], #[[$ID2]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      ins(%[[SS]]#0, %[[SS]]#1, %[[DOT]]#0, %[[DOT]]#1 : tensor<8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4x8xf32>)
// CHECK-SAME:      outs({{.*}} : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>)
// CHECK:           math.log
// CHECK:         %[[O:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ST3]], #[[$ST3]], #[[$SRC3]], #[[$SRC3]], #[[$ID3]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[W]]#0, %[[W]]#1, %[[B0]], %[[B1]] : tensor<4x8xf32>, tensor<4x8xf32>, tensor<8x64xbf16>, tensor<8x64xbf16>)
// CHECK-SAME:      outs({{.*}} : tensor<4x8x64xbf16>)
// CHECK:           arith.truncf %{{.+}} : f32 to bf16
// CHECK:         return %[[O]], %[[W]]#2 : tensor<4x8x64xbf16>, tensor<4x8xf32>
func.func @depth_attn_stats_bf16(%q: tensor<4x64xf32>, %b0: tensor<8x64xbf16>, %b1: tensor<8x64xbf16>)
    -> (tensor<4x8x64xbf16>, tensor<4x8xf32>) {
  %o, %lse = attnres.depth_attn_stats %q, [%b0, %b1] : tensor<4x64xf32>, tensor<8x64xbf16> -> tensor<4x8x64xbf16>, tensor<4x8xf32>
  return %o, %lse : tensor<4x8x64xbf16>, tensor<4x8xf32>
}

// -----

// Dynamic query count and token dims.
// CHECK-LABEL: func.func @depth_attn_stats_dynamic(
// CHECK-SAME:    %[[Q:[^:]+]]: tensor<?x64xf32>, %[[B0:[^:]+]]: tensor<?x64xf32>)
// CHECK-DAG:     tensor.dim %[[Q]], %{{.+}} : tensor<?x64xf32>
// CHECK-DAG:     tensor.dim %[[B0]], %{{.+}} : tensor<?x64xf32>
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[B0]], %[[Q]] : tensor<?x64xf32>, tensor<?x64xf32>)
// CHECK:         %[[W:.+]]:2 = linalg.generic
// CHECK-SAME:      outs({{.*}} : tensor<?x?xf32>, tensor<?x?xf32>)
// CHECK:         %[[O:.+]] = linalg.generic
// CHECK-SAME:      outs({{.*}} : tensor<?x?x64xf32>)
// CHECK:         return %[[O]], %[[W]]#1 : tensor<?x?x64xf32>, tensor<?x?xf32>
func.func @depth_attn_stats_dynamic(%q: tensor<?x64xf32>, %b0: tensor<?x64xf32>) -> (tensor<?x?x64xf32>, tensor<?x?xf32>) {
  %o, %lse = attnres.depth_attn_stats %q, [%b0] : tensor<?x64xf32>, tensor<?x64xf32> -> tensor<?x?x64xf32>, tensor<?x?xf32>
  return %o, %lse : tensor<?x?x64xf32>, tensor<?x?xf32>
}

// -----

//===----------------------------------------------------------------------===//
// depth_attn_merge
//===----------------------------------------------------------------------===//

// Σu² and q·u in one reduction generic, then one elementwise generic.
// CHECK-LABEL: func.func @depth_attn_merge_f16(
// CHECK-SAME:    %[[O:[^:]+]]: tensor<8x64xf16>, %[[LSE:[^:]+]]: tensor<8xf32>, %[[Q:[^:]+]]: tensor<64xf32>, %[[U:[^:]+]]: tensor<8x64xf16>)
// CHECK:         %[[STATS:.+]]:2 = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%[[U]], %[[Q]] : tensor<8x64xf16>, tensor<64xf32>)
// CHECK-SAME:      outs({{.*}} : tensor<8xf32>, tensor<8xf32>)
// CHECK:         %[[H:.+]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      ins(%[[O]], %[[LSE]], %[[STATS]]#0, %[[STATS]]#1, %[[U]] : tensor<8x64xf16>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8x64xf16>)
// CHECK-SAME:      outs({{.*}} : tensor<8x64xf16>)
// CHECK:           math.rsqrt
// CHECK:           math.exp
// CHECK:           arith.truncf %{{.+}} : f32 to f16
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[H]] : tensor<8x64xf16>
func.func @depth_attn_merge_f16(%o: tensor<8x64xf16>, %lse: tensor<8xf32>, %q: tensor<64xf32>,
                                %u: tensor<8x64xf16>) -> tensor<8x64xf16> {
  %h = attnres.depth_attn_merge %o, %lse, %q, %u : tensor<8x64xf16>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf16>
  return %h : tensor<8x64xf16>
}

// -----

//===----------------------------------------------------------------------===//
// Robustness: nothing to do, declarations, nested functions
//===----------------------------------------------------------------------===//

// A function without attnres ops is left alone.
// CHECK-LABEL: func.func @negative_no_attnres_ops(
// CHECK-SAME:    %[[X:[^:]+]]: tensor<8x64xf32>)
// CHECK-NEXT:    %[[Y:.+]] = arith.addf %[[X]], %[[X]] : tensor<8x64xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<8x64xf32>
// CHECK-NEXT:  }
func.func @negative_no_attnres_ops(%x: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %y = arith.addf %x, %x : tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

// A module with only an external declaration.
// CHECK-LABEL: func.func private @negative_external_declaration(tensor<64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
// CHECK-NOT:   linalg
func.func private @negative_external_declaration(tensor<64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>

// -----

// Inside a gpu.func: the pass anchors on FunctionOpInterface. The first two
// RUN lines don't reach into gpu.module, the third one only does.
// CHECK-LABEL: gpu.func @nested_in_gpu_func(
// CHECK:         attnres.block_summary
// CHECK-LABEL: func.func @host(
// CHECK-NOT:     attnres.
// CHECK:         linalg.generic
// GPU-LABEL:   gpu.func @nested_in_gpu_func(
// GPU-SAME:      %[[V0:[^:]+]]: tensor<8x64xf32>, %[[V1:[^:]+]]: tensor<8x64xf32>)
// GPU-NOT:       attnres.
// GPU:           %[[B:.+]] = linalg.generic
// GPU-SAME:        ins(%[[V0]], %[[V1]] : tensor<8x64xf32>, tensor<8x64xf32>)
// GPU:           gpu.return %[[B]] : tensor<8x64xf32>
// GPU-LABEL:   func.func @host(
// GPU:           attnres.block_summary
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @nested_in_gpu_func(%v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>) -> tensor<8x64xf32> {
      %b = attnres.block_summary [%v0, %v1] : tensor<8x64xf32>
      gpu.return %b : tensor<8x64xf32>
    }
  }
  func.func @host(%v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>) -> tensor<8x64xf32> {
    %b = attnres.block_summary [%v0, %v1] : tensor<8x64xf32>
    return %b : tensor<8x64xf32>
  }
}

// -----

// A static zero-size token dim: no rows, the results are empty tensors (no
// slices of an empty dim are built).
// CHECK-LABEL: func.func @zero_rows_logits_combine
// CHECK-NOT: tensor.insert_slice
// CHECK-NOT: tensor.extract_slice
// CHECK: return
func.func @zero_rows_logits_combine(%w: tensor<16xf32>, %k0: tensor<0x16xf32>, %k1: tensor<0x16xf32>) -> (tensor<2x0xf32>, tensor<0x16xf32>) {
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<16xf32>, tensor<0x16xf32> -> tensor<2x0xf32>
  %h = attnres.depth_combine %s, [%k0, %k1] : tensor<2x0xf32>, tensor<0x16xf32> -> tensor<0x16xf32>
  return %s, %h : tensor<2x0xf32>, tensor<0x16xf32>
}
