//===- TwoPhaseTraffic.cpp - traffic model of the two-phase schedule ------===//

#include "attnres/Dialect/AttnRes/Analysis/TwoPhaseTraffic.h"

#include "llvm/Support/CheckedArithmetic.h"

#include <limits>
#include <optional>

using namespace mlir;
using namespace mlir::attnres;

TwoPhaseTraffic mlir::attnres::estimateTwoPhaseTraffic(int64_t shared,
                                                       int64_t sites,
                                                       int64_t merges,
                                                       int64_t hidden,
                                                       int64_t elementBytes) {
  // Checked arithmetic: a count past INT64_MAX saturates there.
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  auto mul = [](std::optional<int64_t> a, std::optional<int64_t> b) {
    return a && b ? llvm::checkedMul(*a, *b) : std::nullopt;
  };
  auto add = [](std::optional<int64_t> a, std::optional<int64_t> b) {
    return a && b ? llvm::checkedAdd(*a, *b) : std::nullopt;
  };
  std::optional<int64_t> row = mul(hidden, elementBytes);
  TwoPhaseTraffic traffic;
  // Per site: read every source, write h.
  traffic.perSiteBytes =
      mul(add(mul(sites, add(shared, 1)), merges), row).value_or(kMax);
  // Phase 1 reads the shared sources once and writes one row + an f32 LSE
  // per query; each merge reads its phase-1 row, its LSE and u, writes h.
  traffic.twoPhaseBytes = add(add(mul(shared, row), mul(sites, add(row, 4))),
                              mul(merges, add(mul(3, row), 4)))
                              .value_or(kMax);
  return traffic;
}

bool mlir::attnres::isTwoPhaseCheaper(int64_t shared, int64_t sites,
                                      int64_t merges, int64_t hidden,
                                      int64_t elementBytes) {
  TwoPhaseTraffic traffic =
      estimateTwoPhaseTraffic(shared, sites, merges, hidden, elementBytes);
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (traffic.perSiteBytes < kMax && traffic.twoPhaseBytes < kMax)
    return traffic.twoPhaseBytes < traffic.perSiteBytes;
  // Rows of D elements per token (see estimateTwoPhaseTraffic): per site
  // S(n+1) + M, two-phase n + S + 3M. Counts of ops, far from overflowing.
  return shared + sites + 3 * merges < sites * (shared + 1) + merges;
}
