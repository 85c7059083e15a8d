//===- Passes.td - attnres conversion passes ---------------*- tablegen -*-===//

#ifndef ATTNRES_CONVERSION_PASSES_TD
#define ATTNRES_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// AttnResToLinalg
//===----------------------------------------------------------------------===//

def ConvertAttnResToLinalgPass
    : InterfacePass<"convert-attnres-to-linalg", "mlir::FunctionOpInterface"> {
  let summary = "Lower attnres ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Rewrites every `attnres` op of a function into `linalg.generic` ops on
    tensors (plus `tensor`, `arith` and `math`), computing in `f32`.

    `attnres.depth_attn` and `attnres.depth_attn_stats` never materialize the
    normalized keys and never concatenate their sources: one `linalg.generic`
    reads every source once and reduces `Σ v²` and `Σ q·v` per row; a second,
    elementwise over the rows, turns them into softmax weights (and LSE); a
    third forms the weighted sum of the raw sources.

    Before rewriting anything the pass checks that it can lower every op; a
    dynamic hidden dimension is reported with the offending op and the pass
    fails. External function declarations are skipped.

    Example:

    ```mlir
    %h = attnres.depth_attn %q, [%v0, %v1] : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
    ```

    becomes (schematically)

    ```mlir
    %stats:4 = linalg.generic {... iterator_types = ["parallel", "reduction"]}
        ins(%v0, %v1, %q : ...) outs(%ss0, %ss1, %dot0, %dot1 : ...) {...}
    %w:2 = linalg.generic {... iterator_types = ["parallel"]}
        ins(%stats#0, %stats#1, %stats#2, %stats#3 : ...) outs(%a0, %a1 : ...) {...}
    %h = linalg.generic {... iterator_types = ["parallel", "parallel"]}
        ins(%w#0, %w#1, %v0, %v1 : ...) outs(%init : tensor<8x64xf32>) {...}
    ```
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect",
    "mlir::tensor::TensorDialect",
  ];
}


//===----------------------------------------------------------------------===//
// AttnResToVector
//===----------------------------------------------------------------------===//

def ConvertAttnResToVectorPass
    : InterfacePass<"convert-attnres-to-vector", "mlir::FunctionOpInterface"> {
  let summary = "Lower the depth-attention ops to row-tiled, vectorized, "
                "parallel loops (the fast CPU kernels)";
  let description = [{
    Rewrites `attnres.depth_attn`, `attnres.depth_attn_stats` and
    `attnres.depth_attn_merge` into bandwidth-bound CPU kernels on tensors:

    * the token dims are flattened into rows; an `scf.forall` distributes
      tiles of `rows-per-task` rows over threads (it becomes an OpenMP
      parallel loop in `attnres-to-llvm`);
    * per row, a first loop over the hidden dim, vectorized along D with
      `vector-width` lanes and the source loop unrolled inside it, reduces
      `Σ v²` and `Σ q·v` for every source in vector accumulators (f32, also for
      f16/bf16 sources); the softmax over sources runs on scalars; a second
      loop forms the weighted sum while the row of every source is still in
      cache. Every source is therefore read from memory once.

    Ops with a dynamic hidden dimension are left alone (for
    `convert-attnres-to-linalg` to report). The vector width is lowered to
    the largest power of two dividing D when D is not a multiple of it.

    Example: `attnres-opt --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector{vector-width=8}))'`.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "unsigned", /*default=*/"16",
           "f32 lanes per vector (a power of two)">,
    Option<"rowsPerTask", "rows-per-task", "unsigned", /*default=*/"8",
           "token rows per parallel task">,
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::math::MathDialect",
    "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect",
    "mlir::vector::VectorDialect",
  ];
}

//===----------------------------------------------------------------------===//
// MPIToLLVM
//===----------------------------------------------------------------------===//

def ConvertMPIToLLVMPass : Pass<"convert-mpi-to-llvm", "mlir::ModuleOp"> {
  let summary = "Lower the upstream mpi dialect to MPI library calls";
  let description = [{
    Applies upstream's `mpi::populateMPIToLLVMConversionPatterns` (MLIR 22.1
    exposes them only through `convert-to-llvm`, whose `filter-dialects=mpi`
    fails when the module has no mpi ops). A no-op on modules without mpi
    ops, so `attnres-to-llvm` always runs it. The MPI ABI (MPICH or Open MPI)
    comes from the module's `dlti.map` entry `"MPI:Implementation"`.

    A module pass: the lowering declares `MPI_*` functions in the module.

    Checked before rewriting (the upstream patterns assume them): `send` and
    `recv` buffers are rank-1 memrefs with an identity layout (upstream
    counts dimension 0 only) of f32, f64 or 8/16/32/64-bit integers; every
    mpi op has a lowering (`init`, `finalize`, `comm_world`, `comm_rank`,
    `comm_split`, `send`, `recv`, `allreduce`); indices are 64-bit.
  }];
  let options = [
    Option<"indexBitwidth", "index-bitwidth", "unsigned", /*default=*/"0",
           "bitwidth of index in the LLVM dialect (0: from the data layout; "
           "the upstream patterns need 64)">,
  ];
  let dependentDialects = [
    "mlir::LLVM::LLVMDialect",
  ];
}

#endif // ATTNRES_CONVERSION_PASSES_TD
