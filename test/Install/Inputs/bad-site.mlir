func.func @site(%q: tensor<16xf32>, %v0: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %h = attnres.depth_attn %q, [%v0] : tensor<16xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h : tensor<4x8xf32>
}
