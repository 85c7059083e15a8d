// Transform library: tile depth_attn_norm and depth_attn_merge_norm over
// their first token dimension in tiles of 5 rows with upstream's
// tile_using_forall (through TilingInterface; the last tile partial).
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %ops = transform.structured.match ops{["attnres.depth_attn_norm",
                                          "attnres.depth_attn_merge_norm"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %ops tile_sizes [5]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
