// The raised IR of each PyTorch idiom in the corpus (Inputs/, exported by
// scripts/torch_corpus.py with torch-mlir's FX importer): one depth_attn over
// the module's sources in their order, the gain folded into the query, the eps
// the frontend used, and nothing of the frontend's site left.

// torch.stack + hand-written rsqrt norm + einsum logits/combine:
// RUN: attnres-opt %S/Inputs/site-stack-rsqrt-einsum.linalg.mlir --attnres-raise --canonicalize --cse | FileCheck %s --check-prefix=STACK
// STACK-LABEL: func.func @forward(
// STACK-SAME:    %[[A0:[a-z0-9]+]]: tensor<4x16xf32>, %[[A1:[a-z0-9]+]]: tensor<4x16xf32>, %[[A2:[a-z0-9]+]]: tensor<4x16xf32>
// STACK-DAG:   %[[G:.*]] = arith.constant dense_resource<torch_tensor_16_torch.float32> : tensor<16xf32>
// STACK-DAG:   %[[W:.*]] = arith.constant dense_resource<torch_tensor_16_torch.float32_1> : tensor<16xf32>
// STACK:       %[[Q:.*]] = linalg.generic {{.*}} ins(%[[W]], %[[G]] : tensor<16xf32>, tensor<16xf32>) outs({{.*}} : tensor<16xf32>)
// STACK:         arith.mulf
// STACK:       %[[H:.*]] = attnres.depth_attn %[[Q]], [%[[A0]], %[[A1]], %[[A2]]] {eps = 9.99999997E-7 : f32} : tensor<16xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
// STACK-NOT:   linalg.
// STACK:       return %[[H]]

// The same module exported as TOSA, through attnres-raise-tosa:
// RUN: attnres-opt %S/Inputs/site-stack-rsqrt-einsum.tosa.mlir --attnres-raise-tosa --canonicalize --cse | FileCheck %s --check-prefix=TOSA
// TOSA-LABEL: func.func @forward(
// TOSA-SAME:    %[[A0:[a-z0-9]+]]: tensor<4x16xf32>, %[[A1:[a-z0-9]+]]: tensor<4x16xf32>, %[[A2:[a-z0-9]+]]: tensor<4x16xf32>
// TOSA:        %[[H:.*]] = attnres.depth_attn %{{.*}}, [%[[A0]], %[[A1]], %[[A2]]] {eps = 9.99999997E-7 : f32} : tensor<16xf32>, tensor<4x16xf32> -> tensor<4x16xf32>
// TOSA-NOT:    math.exp
// TOSA:        return %[[H]]

// Kimi-K3 style: cat along a non-leading axis, softmax(-1), batch dims,
// F.rms_norm, K @ w, combine by matmul:
// RUN: attnres-opt %S/Inputs/site-cat1-batch-functional-matmul.linalg.mlir --attnres-raise --canonicalize --cse | FileCheck %s --check-prefix=CAT1
// CAT1-LABEL: func.func @forward(
// CAT1-SAME:    %[[A0:[a-z0-9]+]]: tensor<2x4x16xf32>, %[[A1:[a-z0-9]+]]: tensor<2x4x16xf32>, %[[A2:[a-z0-9]+]]: tensor<2x4x16xf32>
// CAT1:        %[[H:.*]] = attnres.depth_attn %{{.*}}, [%[[A0]], %[[A1]], %[[A2]]] {eps = 9.99999997E-7 : f32} : tensor<16xf32>, tensor<2x4x16xf32> -> tensor<2x4x16xf32>
// CAT1-NOT:    linalg.batch_matmul
// CAT1:        return %[[H]]

// A Python loop over never-stacked sources (only the logits are stacked),
// x / sqrt(mean(x**2) + eps), K @ w, combine as a chain of mul/add on slices:
// RUN: attnres-opt %S/Inputs/site-loop-sqrt-matvec-loop.linalg.mlir --attnres-raise --canonicalize --cse | FileCheck %s --check-prefix=LOOP
// LOOP-LABEL: func.func @forward(
// LOOP-SAME:    %[[A0:[a-z0-9]+]]: tensor<4x16xf32>, %[[A1:[a-z0-9]+]]: tensor<4x16xf32>, %[[A2:[a-z0-9]+]]: tensor<4x16xf32>
// LOOP:        %[[H:.*]] = attnres.depth_attn %{{.*}}, [%[[A0]], %[[A1]], %[[A2]]] {eps = 9.99999997E-7 : f32}
// LOOP-NOT:    math.sqrt
// LOOP:        return %[[H]]

// Linear(D, 1) logits without a key-norm gain: the query is the Linear's
// weight row, read out of its [1, D] parameter:
// RUN: attnres-opt %S/Inputs/site-stack-nogain-linear-matmul.linalg.mlir --attnres-raise --canonicalize --cse | FileCheck %s --check-prefix=LINEAR
// LINEAR:      %[[W:.*]] = arith.constant dense_resource<torch_tensor_1_16_torch.float32> : tensor<1x16xf32>
// LINEAR:      %[[Q:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}], iterator_types = ["parallel"]} ins(%[[W]] : tensor<1x16xf32>)
// LINEAR-NOT:    arith.mulf
// LINEAR:      attnres.depth_attn %[[Q]], [%arg0, %arg1, %arg2]

// The query as a forward argument:
// RUN: attnres-opt %S/Inputs/site-stack-query-arg.linalg.mlir --attnres-raise --canonicalize --cse | FileCheck %s --check-prefix=QARG
// QARG-LABEL: func.func @forward(
// QARG-SAME:    %[[A3:[a-z0-9]+]]: tensor<16xf32>) -> tensor<4x16xf32>
// QARG:        %[[Q:.*]] = linalg.generic {{.*}} ins(%[[A3]], %{{.*}} : tensor<16xf32>, tensor<16xf32>)
// QARG:        attnres.depth_attn %[[Q]], [%arg0, %arg1, %arg2]

// A row of a larger query parameter (self.W[layer]):
// RUN: attnres-opt %S/Inputs/site-stack-query-slice.linalg.mlir --attnres-raise --canonicalize --cse | FileCheck %s --check-prefix=QSLICE
// QSLICE:      %[[W:.*]] = arith.constant dense_resource<torch_tensor_3_16_torch.float32> : tensor<3x16xf32>
// QSLICE:      %[[Q:.*]] = linalg.generic {{.*}} ins(%[[W]], %{{.*}} : tensor<3x16xf32>, tensor<16xf32>)
// QSLICE:      attnres.depth_attn %[[Q]], [%arg0, %arg1, %arg2]

// A dynamic token dimension:
// RUN: attnres-opt %S/Inputs/site-stack-dynamic-tokens.linalg.mlir --attnres-raise --canonicalize --cse | FileCheck %s --check-prefix=DYN
// DYN:         attnres.depth_attn %{{.*}}, [%arg0, %arg1, %arg2] {eps = 9.99999997E-7 : f32} : tensor<16xf32>, tensor<?x16xf32> -> tensor<?x16xf32>
// DYN-NOT:     linalg.batch_matmul

// bf16: eps rounded to bf16 as the frontend does, the query in f32:
// RUN: attnres-opt %S/Inputs/site-stack-bf16.linalg.mlir --attnres-raise --canonicalize --cse | FileCheck %s --check-prefix=BF16
// BF16:        %[[Q:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<16xbf16>, tensor<16xbf16>) outs(%{{.*}} : tensor<16xf32>)
// BF16:        attnres.depth_attn %[[Q]], [%arg0, %arg1, %arg2] {eps = 9.98377799E-7 : f32} : tensor<16xf32>, tensor<4x16xbf16> -> tensor<4x16xbf16>

// A bf16 model doing its AttnRes math in f32 (x.float() ... .to(bf16)): raised
// at the rounding, over the original bf16 sources:
// RUN: attnres-opt %S/Inputs/site-stack-bf16-f32-math.linalg.mlir --attnres-raise --canonicalize --cse | FileCheck %s --check-prefix=UPCAST
// UPCAST:      attnres.depth_attn %{{.*}}, [%arg0, %arg1, %arg2] {eps = 9.99999997E-7 : f32} : tensor<16xf32>, tensor<4x16xbf16> -> tensor<4x16xbf16>
// UPCAST-NOT:  arith.extf

// One token (rank-1 sources) and nine sources:
// RUN: attnres-opt %S/Inputs/site-stack-one-token.linalg.mlir --attnres-raise | FileCheck %s --check-prefix=ONE
// ONE:         attnres.depth_attn %{{.*}}, [%arg0, %arg1, %arg2] {eps = 9.99999997E-7 : f32} : tensor<16xf32>, tensor<16xf32> -> tensor<16xf32>
// RUN: attnres-opt %S/Inputs/site-stack-nine-sources.linalg.mlir --attnres-raise | FileCheck %s --check-prefix=NINE
// NINE:        attnres.depth_attn %{{.*}}, [%arg0, %arg1, %arg2, %arg3, %arg4, %arg5, %arg6, %arg7, %arg8]
