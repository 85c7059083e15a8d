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

#endif // ATTNRES_TRANSFORMS_PASSES_TD
