// What is not AttnRes stays exactly as it was: attention softmax over
// [B, H, T, T] with a -inf mask, a softmax over tokens, an RMSNorm feeding an
// MLP, a weighted sum over the normalized keys instead of the raw sources,
// per-source norms with different eps, and a partial match (the depth softmax
// of an AttnRes site mixing something else than the sources).

// RUN: for n in masked-attention token-softmax prenorm-mlp normalized-values mixed-eps partial-site; do \
// RUN:   attnres-opt %S/Inputs/neg-$n.linalg.mlir -o %t.$n.in && \
// RUN:   attnres-opt %S/Inputs/neg-$n.linalg.mlir --attnres-raise -o %t.$n.out && \
// RUN:   diff %t.$n.in %t.$n.out || exit 1; done

// report=true says why a softmax-weighted sum is not raised:
// RUN: attnres-opt %S/Inputs/neg-masked-attention.linalg.mlir --attnres-raise=report=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=MASKED
// MASKED: remark: not raised: a softmax-weighted sum that is not an AttnRes site: the logit of source 0 is not a reduction over the hidden dimension
// MASKED: remark: attnres-raise: 0 sites raised in @forward (0 depth_attn ops)
// RUN: attnres-opt %S/Inputs/neg-normalized-values.linalg.mlir --attnres-raise=report=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=NORMVALUES
// NORMVALUES: remark: not raised: {{.*}}: the logit of source 0 is not scaled by one inverse RMS
// RUN: attnres-opt %S/Inputs/neg-mixed-eps.linalg.mlir --attnres-raise=report=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=MIXEDEPS
// MIXEDEPS: remark: not raised: {{.*}}: source 1 is normalized with a different eps
// RUN: attnres-opt %S/Inputs/neg-partial-site.linalg.mlir --attnres-raise=report=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=PARTIAL
// PARTIAL: remark: not raised: {{.*}}: the logit of source 0 is not a dot product of the query with its RMS-normalized source
// RUN: attnres-opt %S/Inputs/neg-prenorm-mlp.linalg.mlir --attnres-raise=report=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=PRENORM
// PRENORM-NOT: raised an AttnRes site
// PRENORM: remark: attnres-raise: 0 sites raised in @forward (0 depth_attn ops)
