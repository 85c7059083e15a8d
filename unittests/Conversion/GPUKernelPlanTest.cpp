//===- GPUKernelPlanTest.cpp - planGPUKernel ------------------------------===//
//
// The plan of how a row of D elements is spread over a CTA
// (attnres/Conversion/AttnResToGPU/AttnResToGPU.h): hand-computed plans for
// the sizes the benchmarks and the paper use, the invariants of every plan
// over a sweep of sizes, and the inputs it must refuse.
//
//===----------------------------------------------------------------------===//

#include "attnres/Conversion/AttnResToGPU/AttnResToGPU.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::attnres;

namespace {

struct Expected {
  int64_t hidden;
  unsigned bits;
  unsigned maxThreads;
  int64_t vectorWidth, threads, chunks;
  bool exact;
};

// Worked by hand from the rule in AttnResToGPU.h: 128-bit vectors when D
// allows (else the widest power of two dividing D), then the multiple of 32
// threads dividing the vector count whose chunk count is closest to 4 (more
// than 8 chunks penalized); without one, 4 chunks per thread rounded up to
// whole warps, capped at maxThreads, with a guarded tail.
const Expected kPlans[] = {
    // D = 4096 f32: 1024 vectors of 4, 256 threads x 4 chunks.
    {4096, 32, 1024, 4, 256, 4, true},
    // D = 2048 bf16: 256 vectors of 8, 64 threads x 4.
    {2048, 16, 1024, 8, 64, 4, true},
    // D = 7168 bf16 (the paper's hidden size): 896 vectors, 224 x 4.
    {7168, 16, 1024, 8, 224, 4, true},
    // D = 4096 f32 capped at 64 threads: 64 x 16 beats 32 x 32.
    {4096, 32, 64, 4, 64, 16, true},
    // D = 8 f32: 2 vectors; one warp, one chunk, 30 idle lanes.
    {8, 32, 1024, 4, 32, 1, false},
    // D = 4097 f32 (odd): scalars; ceil(4097/4) = 1025 -> 1056 threads,
    // capped at 1024, 5 chunks.
    {4097, 32, 1024, 1, 1024, 5, false},
    // D = 6 f16: pairs (6 is not a multiple of 8 or 4).
    {6, 16, 1024, 2, 32, 1, false},
    // D = 96 f32: 24 vectors; no multiple of 32 divides 24.
    {96, 32, 1024, 4, 32, 1, false},
};

TEST(GPUKernelPlanTest, HandComputedPlans) {
  for (const Expected &e : kPlans) {
    SCOPED_TRACE("hidden " + std::to_string(e.hidden) + " bits " +
                 std::to_string(e.bits) + " maxThreads " +
                 std::to_string(e.maxThreads));
    FailureOr<GPUKernelPlan> plan =
        planGPUKernel(e.hidden, e.bits, e.maxThreads);
    ASSERT_TRUE(succeeded(plan));
    EXPECT_EQ(plan->hidden, e.hidden);
    EXPECT_EQ(plan->vectorWidth, e.vectorWidth);
    EXPECT_EQ(plan->threads, e.threads);
    EXPECT_EQ(plan->chunks, e.chunks);
    EXPECT_EQ(plan->exact, e.exact);
  }
}

TEST(GPUKernelPlanTest, InvariantsOverSizes) {
  for (unsigned bits : {8u, 16u, 32u, 64u}) {
    for (unsigned maxThreads : {32u, 64u, 96u, 256u, 1024u}) {
      for (int64_t hidden = 1; hidden <= 9000;
           hidden += hidden < 300 ? 1 : 37) {
        SCOPED_TRACE("hidden " + std::to_string(hidden) + " bits " +
                     std::to_string(bits) + " maxThreads " +
                     std::to_string(maxThreads));
        FailureOr<GPUKernelPlan> plan = planGPUKernel(hidden, bits, maxThreads);
        ASSERT_TRUE(succeeded(plan));
        const GPUKernelPlan &p = *plan;
        // Vectors of at most 128 bits that tile the row, as wide as allowed.
        ASSERT_GE(p.vectorWidth, 1);
        EXPECT_LE(p.vectorWidth * bits, 128u);
        EXPECT_EQ(hidden % p.vectorWidth, 0);
        EXPECT_EQ(p.vectorWidth & (p.vectorWidth - 1), 0);
        bool wider = 2 * p.vectorWidth * bits <= 128 &&
                     hidden % (2 * p.vectorWidth) == 0;
        EXPECT_FALSE(wider);
        // Whole warps, within the limit.
        EXPECT_EQ(p.threads % 32, 0);
        EXPECT_GE(p.threads, 32);
        EXPECT_LE(p.threads, int64_t(maxThreads));
        // Every element is owned, every chunk index has work, and `exact`
        // says whether the tail needs guards.
        int64_t vectors = hidden / p.vectorWidth;
        EXPECT_GE(p.threads * p.chunks, vectors);
        EXPECT_LT((p.chunks - 1) * p.threads, vectors);
        EXPECT_EQ(p.exact, p.threads * p.chunks * p.vectorWidth == hidden);
      }
    }
  }
}

TEST(GPUKernelPlanTest, RefusesInvalidInputs) {
  EXPECT_TRUE(failed(planGPUKernel(0, 32)));
  EXPECT_TRUE(failed(planGPUKernel(-4, 32)));
  EXPECT_TRUE(failed(planGPUKernel(64, 0)));
  EXPECT_TRUE(failed(planGPUKernel(64, 256)));
  EXPECT_TRUE(failed(planGPUKernel(64, 32, /*maxThreads=*/16)));
}

} // namespace
