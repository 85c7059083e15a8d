// REQUIRES: numpy
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --self-test | FileCheck %s

// The numpy reference used by the generated tests passes the checks of math
// §1-§4 in float64 (hand case, mean, identity, two-phase == naive, Full ==
// block size 1, ...).

// CHECK-NOT: FAILED
// CHECK: PASS
