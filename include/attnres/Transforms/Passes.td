//===- Passes.td - attnres passes on lowered code -----------*- tablegen -*-===//
//
// Passes that are neither conversions nor transformations of attnres ops:
// they rewrite the code the lowerings produce (memref, scf, vector, LLVM
// dialect), e.g. to keep a store hint LLVM's backend would drop.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_TRANSFORMS_PASSES_TD
#define ATTNRES_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def AttnResLegalizeNontemporalStoresPass
    : Pass<"attnres-legalize-nontemporal-stores"> {
  let summary = "Store non-temporal bf16/f16 vectors as i16 vectors (LLVM "
                "dialect)";
  let description = [{
    LLVM's x86 backend drops the `!nontemporal` hint of stores of `bfloat` and
    `half` vectors (it selects an ordinary `vmovaps`), while it keeps it for
    integer vectors of the same size. This pass, on the LLVM dialect, bitcasts
    the value of every `llvm.store ... {nontemporal}` of a vector of bf16 or
    f16 to the integer vector of the same width; the bits written are the
    same. `attnres-to-llvm` runs it after `convert-vector-to-llvm`.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def AttnResStreamingStoresPass
    : Pass<"attnres-streaming-stores"> {
  let summary = "Write the outputs of the CPU kernels with non-temporal "
                "stores when they are aligned";
  let description = [{
    Runs after bufferization. For every `scf.for` carrying the discardable
    unit attribute `attnres.streaming_stores` (set by
    `convert-attnres-to-vector` on the loops that write a large output), the
    loop is versioned on the alignment of its stores:

    ```mlir
    scf.if %aligned {
      scf.for ... { vector.store %v, %out[%r, %c] {alignment = 64, nontemporal = true} ... }
    } else {
      scf.for ... { vector.transfer_write %v, %out[%r, %c] ... }   // unchanged
    }
    ```

    A non-temporal store writes a whole cache line without reading it first
    and without keeping it in cache: an output that is not read again soon
    costs one write of DRAM traffic instead of a read and a write.
    `%aligned` checks, once before the loop, that the first store of every
    write lands on a multiple of the vector's size in bytes; the loop step
    keeps later stores aligned. A loop is versioned only when each of its
    `vector.transfer_write`s is a 1-D, in-bounds, unmasked write of 16, 32 or
    64 bytes into a memref with unit innermost stride, at the loop's
    induction variable (step = vector length) with the other indices and the
    memref invariant in the loop; otherwise it is left as it is and loses
    the attribute. Loops that still write tensors (before bufferization)
    are skipped and keep it.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect",
    "mlir::vector::VectorDialect",
  ];
}

def AttnResSerialOuterReductionsPass
    : Pass<"attnres-serial-outer-reductions"> {
  let summary = "Lower linalg ops whose outermost loop is a reduction to "
                "sequential loops";
  let description = [{
    `convert-linalg-to-parallel-loops` keeps a linalg op's loop order: an op
    whose outermost iterator is a reduction (e.g. a sublayer gradient
    `ds[d] = sum_t g[t, d] * h[t, d]` over `[T, D]`) becomes a sequential
    loop around an `scf.parallel`, and `convert-scf-to-openmp` then opens a
    parallel region once per outer iteration (1,024 times for 1,024
    tokens): measured 32 ms instead of 1.7 ms sequentially for
    1024 x 4096 f32 on 2 cores. Interchanging the loops instead would make
    the inner loop strided. This pass lowers such ops (on buffers) to
    sequential `scf.for` loops in their own order, which LLVM vectorizes
    along the contiguous inner dimension. `attnres-to-llvm` runs it before
    `convert-linalg-to-parallel-loops` when `parallel` is on; ops whose
    outermost iterator is parallel still get parallel loops.
  }];
  let dependentDialects = ["mlir::affine::AffineDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::memref::MemRefDialect"];
}

#endif // ATTNRES_TRANSFORMS_PASSES_TD
