// Transform library: decompose the forward attnres ops with upstream's
// decompose_interface, which knows the ops only through
// linalg::AggregatedOpInterface. The transform gives one handle per result
// (applyToOne), so it takes ops with exactly one result: not
// depth_attn_stats (two) nor the memref form (none), which
// convert-attnres-to-linalg decomposes with the same code.
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %ops = transform.structured.match ops{["attnres.depth_attn",
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
