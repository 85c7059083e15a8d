// Transform library: decompose every forward attnres op with upstream's
// decompose_interface, which knows the ops only through
// linalg::AggregatedOpInterface.
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %ops = transform.structured.match ops{["attnres.depth_attn", "attnres.depth_attn_stats",
                                          "attnres.depth_attn_merge", "attnres.rms_norm",
                                          "attnres.block_summary", "attnres.depth_logits",
                                          "attnres.depth_softmax", "attnres.depth_combine"]} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.foreach %ops : !transform.any_op {
    ^bb0(%op: !transform.any_op):
      %d = transform.structured.decompose_interface %op : (!transform.any_op) -> !transform.any_op
    }
    transform.yield
  }
}
