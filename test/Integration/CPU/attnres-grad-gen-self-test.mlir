// REQUIRES: numpy
// RUN: %python %attnres_src_root/scripts/attnres_grad_gen.py --self-test | FileCheck %s

// The float64 gradient references of the generated gradient tests pass their
// finite-difference checks against the forward references, the identities of
// the derivation (one source: dV = g, dq = 0; zero query: dV_j = g/n), and the
// chain rule of the two-phase form (merge_grad then stats_grad equals the
// site's gradient over all sources).

// CHECK: PASS
