// Transform library: tile every tileable attnres op over its first token
// dimension in tiles of 3 rows with upstream's tile_using_forall, which knows
// the ops only through TilingInterface.
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %ops = transform.structured.match ops{["attnres.depth_attn", "attnres.depth_attn_stats",
                                          "attnres.depth_attn_merge", "attnres.rms_norm",
                                          "attnres.block_summary"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_forall %ops tile_sizes [3]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
