//===- TwoPhaseTrafficTest.cpp - estimateTwoPhaseTraffic ------------------===//
//
// The traffic model `attnres-two-phase` decides with
// (attnres/Dialect/AttnRes/Analysis/TwoPhaseTraffic.h), against byte counts
// worked by hand from math §4's description of the two schedules.
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/Analysis/TwoPhaseTraffic.h"

#include "gtest/gtest.h"

#include <limits>

using namespace mlir::attnres;

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// Per site, a site over n shared sources reads n rows (n + 1 with a merged
// source) and writes its output row. Two-phase: phase 1 reads the n shared
// rows once and writes one row + an f32 log-sum-exp per query (the output of
// a site without a merge); a merge reads its phase-1 row, its LSE and its own
// source, and writes the output row.
TEST(TwoPhaseTrafficTest, BlockOfEightSites) {
  // 8 sites over 8 shared blocks, each merging its partial: D = 4096 f32,
  // a row is 16 KiB.
  const int64_t row = 4096 * 4;
  TwoPhaseTraffic t = estimateTwoPhaseTraffic(/*shared=*/8, /*sites=*/8,
                                              /*merges=*/8, 4096, 4);
  // Per site: 8 x (8 reads + 1 write) + 8 merged-source reads.
  EXPECT_EQ(t.perSiteBytes, (8 * 9 + 8) * row);
  // 8 shared reads, 8 phase-1 rows + LSEs, 8 merges of 3 rows + an LSE.
  EXPECT_EQ(t.twoPhaseBytes, 8 * row + 8 * (row + 4) + 8 * (3 * row + 4));
  EXPECT_LT(t.twoPhaseBytes, t.perSiteBytes);
}

TEST(TwoPhaseTrafficTest, OneSiteIsNotWorthSplitting) {
  // A lone site over 3 sources and a merged one: 4 reads + 1 write per site;
  // two-phase adds a phase-1 row (+ LSE) and its re-read.
  TwoPhaseTraffic t = estimateTwoPhaseTraffic(3, 1, 1, 2048, 2);
  EXPECT_EQ(t.perSiteBytes, (1 * 4 + 1) * 4096);
  EXPECT_EQ(t.twoPhaseBytes, 3 * 4096 + (4096 + 4) + (3 * 4096 + 4));
  EXPECT_GT(t.twoPhaseBytes, t.perSiteBytes);
}

TEST(TwoPhaseTrafficTest, SitesWithoutMerges) {
  // Full AttnRes-like group: 4 sites over the same 16 sources, no merges.
  TwoPhaseTraffic t = estimateTwoPhaseTraffic(16, 4, 0, 512, 4);
  const int64_t row = 2048;
  EXPECT_EQ(t.perSiteBytes, 4 * 17 * row);
  EXPECT_EQ(t.twoPhaseBytes, 16 * row + 4 * (row + 4));
}

TEST(TwoPhaseTrafficTest, SaturatesInsteadOfOverflowing) {
  // Rows of 2^62 f32 elements: every count is past INT64_MAX.
  TwoPhaseTraffic t =
      estimateTwoPhaseTraffic(8, 8, 8, int64_t(1) << 62, /*elementBytes=*/4);
  EXPECT_EQ(t.perSiteBytes, kMax);
  EXPECT_EQ(t.twoPhaseBytes, kMax);
  // The largest row that still fits: no saturation at the edge below.
  TwoPhaseTraffic edge = estimateTwoPhaseTraffic(1, 1, 0, 1 << 20, 4);
  EXPECT_EQ(edge.perSiteBytes, 2 * (int64_t(1) << 22));
  EXPECT_LT(edge.twoPhaseBytes, kMax);
}

TEST(TwoPhaseTrafficTest, DecisionAgreesWithTheCountsWhenSaturated) {
  // Saturated byte counts fall back to rows moved: per site S(n + 1) + M,
  // two-phase n + S + 3M.
  const int64_t huge = int64_t(1) << 62;
  EXPECT_TRUE(isTwoPhaseCheaper(8, 8, 8, huge, 4));  // 8+8+24 < 72+8
  EXPECT_FALSE(isTwoPhaseCheaper(3, 1, 1, huge, 2)); // 3+1+3 > 4+1
  EXPECT_TRUE(isTwoPhaseCheaper(8, 8, 8, 4096, 4));
  EXPECT_FALSE(isTwoPhaseCheaper(3, 1, 1, 2048, 2));
}

} // namespace
