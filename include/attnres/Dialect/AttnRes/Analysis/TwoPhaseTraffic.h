//===- TwoPhaseTraffic.h - traffic model of the two-phase schedule -*- C++
//-*-===//
//
// The bytes a group of AttnRes sites moves per token row, site by site and
// in the two-phase schedule (math §4); `attnres-two-phase` decides with it.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_DIALECT_ATTNRES_ANALYSIS_TWOPHASETRAFFIC_H
#define ATTNRES_DIALECT_ATTNRES_ANALYSIS_TWOPHASETRAFFIC_H

#include <cstdint>

namespace mlir {
namespace attnres {

/// Traffic, in bytes per token row, of one group of sites sharing `shared`
/// sources: `sites` sites of which `merges` add one more source; rows of
/// `hidden` elements of `elementBytes` bytes each. Computed with checked
/// arithmetic: a count that does not fit in `int64_t` saturates at INT64_MAX.
struct TwoPhaseTraffic {
  int64_t perSiteBytes = 0;
  int64_t twoPhaseBytes = 0;
};
TwoPhaseTraffic estimateTwoPhaseTraffic(int64_t shared, int64_t sites,
                                        int64_t merges, int64_t hidden,
                                        int64_t elementBytes);

/// Whether the two-phase form of a group moves fewer bytes than its sites.
/// Where the estimate saturates (rows of exabytes), the 4-byte LSE terms are
/// negligible and the number of rows moved decides.
bool isTwoPhaseCheaper(int64_t shared, int64_t sites, int64_t merges,
                       int64_t hidden, int64_t elementBytes);

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_DIALECT_ATTNRES_ANALYSIS_TWOPHASETRAFFIC_H
