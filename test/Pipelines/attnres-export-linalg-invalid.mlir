// attnres-export-linalg rejects, at the function, what an exported module
// cannot hold, and exits 1.
// RUN: attnres-opt %s --attnres-export-linalg --split-input-file --verify-diagnostics -o /dev/null

// expected-error @below {{public function 'site_dps' takes or returns 'memref<4x8xf32>'}}
func.func @site_dps(%q: tensor<8xf32>, %v0: tensor<4x8xf32>, %out: memref<4x8xf32>) {
  %h = attnres.depth_attn %q, [%v0, %v0] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  bufferization.materialize_in_destination %h in restrict writable %out : (tensor<4x8xf32>, memref<4x8xf32>) -> ()
  return
}

// -----

// A site with a dynamic hidden size cannot be lowered (convert-attnres-to-linalg).
func.func @dynamic_hidden(%q: tensor<?xf32>, %v0: tensor<4x?xf32>) -> tensor<4x?xf32> {
  // expected-error @below {{cannot be lowered: the hidden (last) dimension of 'tensor<4x?xf32>' must be static}}
  %h = attnres.depth_attn %q, [%v0, %v0] : tensor<?xf32>, tensor<4x?xf32> -> tensor<4x?xf32>
  return %h : tensor<4x?xf32>
}
