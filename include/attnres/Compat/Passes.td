//===- Passes.td - attnres's stand-ins for upstream gaps ----*- tablegen -*-===//
//
// Passes that fill gaps of MLIR 22.1's upstream dialects (lib/Compat/), each
// with the upstream issue or pull request that makes it unnecessary. Their
// flags carry the `attnres-` prefix so they never collide with an upstream
// pass of the same job in a host compiler.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_COMPAT_PASSES_TD
#define ATTNRES_COMPAT_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// MPI to LLVM
//===----------------------------------------------------------------------===//

def AttnResConvertMPIToLLVMPass
    : Pass<"attnres-convert-mpi-to-llvm", "mlir::ModuleOp"> {
  let summary = "Lower the upstream mpi dialect to MPI library calls";
  let description = [{
    Applies upstream's `mpi::populateMPIToLLVMConversionPatterns` (MLIR 22.1
    exposes them only through `convert-to-llvm`, whose `filter-dialects=mpi`
    fails when the module has no mpi ops; llvm/llvm-project#95524 chose that
    hook instead of a pass). A no-op on modules without mpi
    ops, so `attnres-to-llvm` always runs it. The MPI ABI (MPICH or Open MPI)
    comes from the module's `dlti.map` entry `"MPI:Implementation"`.

    A module pass: the lowering declares `MPI_*` functions in the module.

    Checked before rewriting (the upstream patterns assume them): `send` and
    `recv` buffers are rank-1 memrefs with an identity layout (upstream
    counts dimension 0 only) of f32, f64 or 8/16/32/64-bit integers; every
    mpi op has a lowering (`init`, `finalize`, `comm_world`, `comm_rank`,
    `comm_split`, `send`, `recv`, `allreduce`); indices are 64-bit. Upstream
    gap code (lib/Compat/MPI): delete it once attnres moves to an MLIR whose
    MPI lowering is a standalone pass with these checks (see also
    llvm/llvm-project#225257, element counts multiplied in i32).
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

#endif // ATTNRES_COMPAT_PASSES_TD
