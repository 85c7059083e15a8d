// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-fuse{key-rounding=chain}))' | FileCheck %s --check-prefix=CHAIN
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-fuse{key-rounding=f32}))' | FileCheck %s --check-prefix=F32
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-fuse))' | FileCheck %s --check-prefix=F32
// RUN: not attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-fuse{key-rounding=bf16}))' 2>&1 | FileCheck %s --check-prefix=BAD

// key-rounding: rms_norm rounds the keys to the sources' type, the fused site
// keeps them in f32. `f32` (the default) fuses every chain; `chain` fuses only
// chains with f32 keys, so a bf16/f16 chain keeps its results exactly.

// CHAIN-LABEL: func.func @f32_chain
// CHAIN: attnres.depth_attn
// CHAIN-NOT: attnres.rms_norm
// F32-LABEL: func.func @f32_chain
// F32: attnres.depth_attn
func.func @f32_chain(%v0: tensor<4x8xf32>, %v1: tensor<4x8xf32>, %w: tensor<8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  %k0 = attnres.rms_norm %v0, %g : tensor<4x8xf32>, tensor<8xf32>
  %k1 = attnres.rms_norm %v1, %g : tensor<4x8xf32>, tensor<8xf32>
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<8xf32>, tensor<4x8xf32> -> tensor<2x4xf32>
  %a = attnres.depth_softmax %s : tensor<2x4xf32>
  %h = attnres.depth_combine %a, [%v0, %v1] : tensor<2x4xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h : tensor<4x8xf32>
}

// CHAIN-LABEL: func.func @bf16_chain
// CHAIN: attnres.rms_norm
// CHAIN: attnres.depth_logits
// CHAIN: attnres.depth_softmax
// CHAIN: attnres.depth_combine
// CHAIN-NOT: attnres.depth_attn
// F32-LABEL: func.func @bf16_chain
// F32: attnres.depth_attn %{{.*}}, [%{{.*}}, %{{.*}}] : tensor<8xf32>, tensor<4x8xbf16> -> tensor<4x8xbf16>
// F32-NOT: attnres.rms_norm
func.func @bf16_chain(%v0: tensor<4x8xbf16>, %v1: tensor<4x8xbf16>, %w: tensor<8xbf16>, %g: tensor<8xbf16>) -> tensor<4x8xbf16> {
  %k0 = attnres.rms_norm %v0, %g : tensor<4x8xbf16>, tensor<8xbf16>
  %k1 = attnres.rms_norm %v1, %g : tensor<4x8xbf16>, tensor<8xbf16>
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<8xbf16>, tensor<4x8xbf16> -> tensor<2x4xf32>
  %a = attnres.depth_softmax %s : tensor<2x4xf32>
  %h = attnres.depth_combine %a, [%v0, %v1] : tensor<2x4xf32>, tensor<4x8xbf16> -> tensor<4x8xbf16>
  return %h : tensor<4x8xbf16>
}

// BAD: for the --key-rounding option: Cannot find option named 'bf16'!
// BAD: failed to add `attnres-fuse` with options `key-rounding=bf16`
