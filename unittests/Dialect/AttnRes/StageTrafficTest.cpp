//===- StageTrafficTest.cpp - StageTrafficAnalysis::getTraffic ------------===//
//
// Cross-stage traffic of Block AttnRes models split into pipeline chunks
// (attnres/Dialect/AttnRes/Analysis/StageTraffic.h), against math §5: the
// paper's Fig. 3 numbers and the closed forms for models whose chunks end on
// block boundaries. The models are built here as IR text from the Block
// AttnRes state machine of math §3, independently of attnres's generators.
//
//===----------------------------------------------------------------------===//

#include "attnres/Dialect/AttnRes/Analysis/StageTraffic.h"
#include "attnres/Dialect/AttnRes/IR/AttnResDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/ADT/STLExtras.h"
#include "gtest/gtest.h"

#include <numeric>
#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::attnres;

namespace {

/// A Block AttnRes model of `layers` sublayers (f = tanh) in blocks of
/// `blockSize`, rows of 8 f32, with `layersPerChunk` consecutive sublayers
/// per pipeline chunk: the first op of each chunk carries `attnres.chunk`.
/// Sublayer 0 reads the embedding b_0; sublayer l > 0 and the output read
/// the site over [b_0, completed blocks..., running partial].
std::string blockModel(int layers, int blockSize, int layersPerChunk) {
  const std::string type = "tensor<4x8xf32>";
  std::string ir = "func.func @model(%emb: " + type + ") -> " + type + " {\n";
  ir += "  %q = arith.constant dense<5.000000e-01> : tensor<8xf32>\n";
  std::vector<std::string> blocks{"%emb"};
  std::string partial;
  auto chunkAttr = [&](int l) {
    return l % layersPerChunk == 0
               ? " {attnres.chunk = " + std::to_string(l / layersPerChunk) +
                     " : i64}"
               : std::string();
  };
  auto site = [&](const std::string &name, const std::string &attr) {
    std::string sources;
    for (const std::string &b : blocks)
      sources += (sources.empty() ? "" : ", ") + b;
    if (!partial.empty())
      sources += ", " + partial;
    ir += "  " + name + " = attnres.depth_attn %q, [" + sources + "]" + attr +
          " : tensor<8xf32>, " + type + " -> " + type + "\n";
  };
  for (int l = 0; l < layers; ++l) {
    std::string f = "%f" + std::to_string(l);
    if (l == 0) {
      ir += "  " + f + " = math.tanh %emb" + chunkAttr(0) + " : " + type + "\n";
    } else {
      std::string h = "%h" + std::to_string(l);
      site(h, chunkAttr(l));
      ir += "  " + f + " = math.tanh " + h + " : " + type + "\n";
    }
    if (l % blockSize == 0) {
      partial = f;
    } else {
      std::string p = "%p" + std::to_string(l);
      ir += "  " + p + " = attnres.block_summary [" + partial + ", " + f +
            "] : " + type + "\n";
      partial = p;
    }
    if ((l + 1) % blockSize == 0) {
      blocks.push_back(partial);
      partial.clear();
    }
  }
  site("%y", "");
  ir += "  return %y : " + type + "\n}\n";
  return ir;
}

class StageTrafficTest : public ::testing::Test {
protected:
  StageTrafficTest() {
    context.loadDialect<AttnResDialect, arith::ArithDialect, func::FuncDialect,
                        math::MathDialect, tensor::TensorDialect>();
  }

  /// The traffic of `ir`'s function for P = `stages`, V = `virtualStages`.
  FailureOr<StageTraffic> traffic(const std::string &ir, int64_t stages,
                                  int64_t virtualStages,
                                  bool reuseOwnBlocks = false) {
    module = parseSourceString<ModuleOp>(ir, &context);
    if (!module)
      return failure();
    auto funcs = module->getOps<func::FuncOp>();
    if (funcs.empty())
      return failure();
    StageTrafficAnalysis analysis(*funcs.begin());
    if (!analysis.isValid())
      return failure();
    StageTrafficOptions options;
    options.stages = stages;
    options.virtualStages = virtualStages;
    options.reuseOwnBlocks = reuseOwnBlocks;
    return analysis.getTraffic(options);
  }

  static std::vector<int64_t> naiveBlocks(const StageTraffic &t) {
    std::vector<int64_t> v;
    for (const HopTraffic &hop : t.hops)
      v.push_back(hop.naiveBlocks);
    return v;
  }
  static std::vector<int64_t> cachedBlocks(const StageTraffic &t) {
    std::vector<int64_t> v;
    for (const HopTraffic &hop : t.hops)
      v.push_back(hop.cachedBlocks);
    return v;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

// Math §5's worked example (paper Fig. 3): P = 4, V = 2, 16 sublayers in
// blocks of 4, two sublayers per chunk, so every block spans two chunks.
TEST_F(StageTrafficTest, PaperFigure3) {
  std::string ir = blockModel(16, 4, 2);
  FailureOr<StageTraffic> t = traffic(ir, 4, 2);
  ASSERT_TRUE(succeeded(t));
  EXPECT_EQ(t->chunks, 8);
  ASSERT_EQ(t->hops.size(), 7u);
  EXPECT_EQ(naiveBlocks(*t), (std::vector<int64_t>{1, 2, 2, 3, 3, 4, 4}));
  EXPECT_EQ(cachedBlocks(*t), (std::vector<int64_t>{1, 2, 2, 2, 2, 2, 2}));
  // Hop h goes from rank h mod P to rank (h+1) mod P.
  for (auto [h, hop] : llvm::enumerate(t->hops)) {
    EXPECT_EQ(hop.fromRank, int64_t(h) % 4);
    EXPECT_EQ(hop.toRank, int64_t(h + 1) % 4);
  }
  // Rows of 8 f32 (32 bytes per token): 19 + 4 partials naive, 13 + 4 cached.
  EXPECT_EQ(t->naiveRowBytes, (19 + 4) * 32);
  EXPECT_EQ(t->cachedRowBytes, (13 + 4) * 32);

  FailureOr<StageTraffic> own = traffic(ir, 4, 2, /*reuseOwnBlocks=*/true);
  ASSERT_TRUE(succeeded(own));
  EXPECT_EQ(cachedBlocks(*own), (std::vector<int64_t>{1, 2, 2, 2, 1, 2, 1}));
  EXPECT_EQ(naiveBlocks(*own), naiveBlocks(*t));
}

// Math §5's closed forms, exact when every chunk completes N_p blocks at its
// end: with b_0 counted (it crosses every hop naively and the P - 1 hops of
// the first virtual stage cached),
//   sum naive  - (C - 1) = C(C - 1)/2 N_p
//   sum cached - (P - 1) = P(P - 1)/2 N_p + (V - 1) P^2 N_p
// and the peak per hop falls from (C - 1) N_p + 1 to P N_p.
TEST_F(StageTrafficTest, ClosedForms) {
  struct Shape {
    int64_t stages, virtualStages, layersPerChunk, blockSize;
  };
  const Shape shapes[] = {{2, 2, 4, 2}, {2, 2, 3, 3}, {3, 2, 4, 4},
                          {4, 2, 2, 2}, {3, 1, 6, 3}, {2, 3, 4, 2},
                          {4, 3, 2, 1}, {2, 4, 6, 2}};
  for (const Shape &s : shapes) {
    int64_t P = s.stages, V = s.virtualStages, C = P * V;
    int64_t Np = s.layersPerChunk / s.blockSize;
    SCOPED_TRACE("P " + std::to_string(P) + " V " + std::to_string(V) + " k " +
                 std::to_string(s.layersPerChunk) + " S " +
                 std::to_string(s.blockSize));
    FailureOr<StageTraffic> t = traffic(
        blockModel(C * s.layersPerChunk, s.blockSize, s.layersPerChunk), P, V);
    ASSERT_TRUE(succeeded(t));
    std::vector<int64_t> naive = naiveBlocks(*t), cached = cachedBlocks(*t);
    ASSERT_EQ(int64_t(naive.size()), C - 1);
    int64_t naiveSum = std::accumulate(naive.begin(), naive.end(), int64_t(0));
    int64_t cachedSum =
        std::accumulate(cached.begin(), cached.end(), int64_t(0));
    EXPECT_EQ(naiveSum - (C - 1), C * (C - 1) / 2 * Np);
    EXPECT_EQ(cachedSum - (P - 1), P * (P - 1) / 2 * Np + (V - 1) * P * P * Np);
    EXPECT_EQ(*llvm::max_element(naive), (C - 1) * Np + 1);
    if (V > 1)
      EXPECT_EQ(*llvm::max_element(cached), P * Np);
    else
      EXPECT_EQ(cached, naive);
  }
}

// Options the analysis must refuse with a located error, not a table.
TEST_F(StageTrafficTest, RefusesInvalidOptions) {
  std::string ir = blockModel(16, 4, 2); // chunks 0..7
  int errors = 0;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error)
      ++errors;
    return success();
  });
  EXPECT_TRUE(failed(traffic(ir, 0, 1)));
  EXPECT_TRUE(failed(traffic(ir, 2, 0)));
  // An op in chunk 7 with only P V = 4 chunks.
  EXPECT_TRUE(failed(traffic(ir, 2, 2)));
  EXPECT_EQ(errors, 3);
  EXPECT_TRUE(succeeded(traffic(ir, 2, 4)));
  EXPECT_EQ(errors, 3);
}

} // namespace
