//===- Passes.td - attnres conversion passes ---------------*- tablegen -*-===//

#ifndef ATTNRES_CONVERSION_PASSES_TD
#define ATTNRES_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// AttnResToLinalg
//===----------------------------------------------------------------------===//

def ConvertAttnResToLinalgPass
    : Pass<"convert-attnres-to-linalg"> {
  let summary = "Lower attnres ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Rewrites every `attnres` op of a function into `linalg.generic` ops on
    tensors (plus `tensor`, `arith` and `math`), computing in `f32`.

    `attnres.depth_attn` and `attnres.depth_attn_stats` never materialize the
    normalized keys and never concatenate their sources: one `linalg.generic`
    reads every source once and reduces `Σ v²` and `Σ q·v` per row; a second,
    elementwise over the rows, turns them into softmax weights (and LSE); a
    third forms the weighted sum of the raw sources.

    Each op is replaced by its decomposition (`decomposeAttnResOp`, also the
    ops' `linalg::AggregatedOpInterface`). Destinations (`outs`) of
    `depth_attn`, `depth_attn_stats` and `depth_attn_merge` become the outs
    of the last generic; their memref form (after bufferization) lowers to
    the same generics on buffers, with `memref.alloc` temporaries that
    upstream's buffer deallocation frees.

    Before rewriting anything the pass checks that it can lower every op; a
    dynamic hidden dimension is reported with the offending op and the pass
    fails. External function declarations are skipped.

    With `keep-bufferizable`, ops that implement
    `bufferization::BufferizableOpInterface` (the ops with a memref form) are
    left alone, for a lowering after bufferization (`attnres-to-nvvm` lowers
    them with `convert-attnres-to-gpu` on their memref form); every other
    attnres op is lowered. With `free-temporaries`, the temporaries
    (`memref.alloc`) of a memref-form op's decomposition are deallocated
    right after it: for IR whose buffer deallocation already ran
    (`attnres-to-nvvm` lowers the memref-form ops the GPU kernels do not
    take this way).

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
  let options = [
    Option<"keepBufferizable", "keep-bufferizable", "bool",
           /*default=*/"false",
           "Leave the ops that implement BufferizableOpInterface (those with "
           "a memref form) alone, for a lowering after bufferization">,
    Option<"freeTemporaries", "free-temporaries", "bool", /*default=*/"false",
           "Deallocate the temporaries of a memref-form op's decomposition "
           "right after it (IR whose buffer deallocation already ran)">,
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect",
    "mlir::memref::MemRefDialect",
    "mlir::tensor::TensorDialect",
  ];
}


//===----------------------------------------------------------------------===//
// AttnResToVector
//===----------------------------------------------------------------------===//

def ConvertAttnResToVectorPass
    : Pass<"convert-attnres-to-vector"> {
  let summary = "Lower the depth-attention ops to row-tiled, vectorized, "
                "parallel loops (the fast CPU kernels)";
  let description = [{
    Rewrites `attnres.depth_attn`, `attnres.depth_attn_stats` and
    `attnres.depth_attn_merge` into bandwidth-bound CPU kernels on tensors
    (or on buffers, below):

    * the token dims are flattened into rows; an `scf.forall` distributes
      tiles of `rows-per-task` rows over threads (it becomes an OpenMP
      parallel loop in `attnres-to-llvm`); for the forward ops it comes from
      `scf::tileUsingSCF` on the op's `TilingInterface`, and each tiled op is
      lowered with its per-row loop (calls that fit one task run untiled);
    * per row, a first loop over the hidden dim, vectorized along D with
      `vector-width` lanes and the source loop unrolled inside it, reduces
      `Σ v²` and `Σ q·v` for every source in vector accumulators (f32, also for
      f16/bf16 sources); the softmax over sources runs on scalars; a second
      loop forms the weighted sum while the row of every source is still in
      cache. Every source is therefore read from memory once. With
      `bf16-pairs`, bf16 rows are read 2·`vector-width` elements at a time
      and split into even/odd f32 vectors with integer shifts and masks.

    Every op in its memref form (after bufferization) gets the same kernel,
    written into its buffers. The forward ops (and the fused norm ops): the
    op on rows views of its buffers is tiled by `scf::tileUsingSCF` into an
    `scf.forall` without shared outputs (tiles are `memref.subview`s) and
    each tiled op is lowered with its per-row loop. The gradient ops: the
    kernel's hand-built `scf.forall` has no shared outputs either, its tasks
    write `memref.subview`s of the rows views of the destination buffers,
    the task-partial f32 accumulators of the query's (gain's) gradient are a
    `memref.alloc` left to the buffer deallocation pipeline, and their sum
    is written into that gradient's destination. Value-form ops with
    destinations and memref-form ops whose buffers have no rows view (token
    dims with dynamic strides) are left for `convert-attnres-to-linalg`.
    With `memref-form-only`, every value-form op is left alone too:
    `attnres-to-llvm` runs the pass after bufferization only.

    Ops with a dynamic hidden dimension are left alone (for
    `convert-attnres-to-linalg` to report). The vector width is lowered to
    the largest power of two dividing D when D is not a multiple of it. An
    op whose results have a dim of static size 0 (no token rows, no queries)
    becomes `tensor.empty`. An op with a tensor whose static dims span more
    than 2^63 - 1 bytes is reported (every such op, before anything is
    rewritten) and the pass fails.

    The loops over D that write a kernel's output carry the discardable unit
    attribute `attnres.streaming_stores` when the output (static shape) has
    at least `streaming-min-bytes` bytes: after bufferization,
    `attnres-streaming-stores` turns their stores into non-temporal ones.

    Example: `attnres-opt --pass-pipeline='builtin.module(func.func(convert-attnres-to-vector{vector-width=8}))'`.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "unsigned", /*default=*/"16",
           "f32 lanes per vector (a power of two)">,
    Option<"rowsPerTask", "rows-per-task", "unsigned", /*default=*/"8",
           "token rows per parallel task">,
    Option<"sourcesPerLoop", "sources-per-loop", "unsigned", /*default=*/"12",
           "most sources whose statistics share one loop over D (two vector "
           "accumulators each; more sources are split into balanced groups)">,
    Option<"bf16Pairs", "bf16-pairs", "bool", /*default=*/"true",
           "bf16 sources: read 2·vector-width elements as even/odd f32 "
           "halves with integer ops (no shuffles): statistics loops of all "
           "kernels, weighted-sum loops of depth_attn and depth_attn_stats">,
    Option<"streamingMinBytes", "streaming-min-bytes", "int64_t",
           /*default=*/"4194304",
           "mark the output loops of kernels whose static output has at "
           "least this many bytes for non-temporal stores "
           "(attnres-streaming-stores); 0: never">,
    Option<"memrefFormOnly", "memref-form-only", "bool", /*default=*/"false",
           "Lower only the memref form (after bufferization): leave every "
           "value-form op alone">,
  ];
  let dependentDialects = [
    "mlir::affine::AffineDialect",
    "mlir::arith::ArithDialect",
    "mlir::math::MathDialect",
    "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect",
    "mlir::vector::VectorDialect",
  ];
}

//===----------------------------------------------------------------------===//
// AttnResToGPU
//===----------------------------------------------------------------------===//

def ConvertAttnResToGPUPass
    : Pass<"convert-attnres-to-gpu"> {
  let summary = "Lower the depth-attention ops to fused GPU kernels (gpu.launch)";
  let description = [{
    Rewrites the memref form (after bufferization: `one-shot-bufferize`
    keeps the ops) of `attnres.depth_attn`, `attnres.depth_attn_stats`,
    `attnres.depth_attn_merge` and `attnres.depth_attn_merge_norm` with a
    static hidden size into one `gpu.launch` each, writing the outs buffers
    directly (no temporary, no copy); CTA barriers are `gpu.barrier`, so the
    pass runs after buffer deallocation (which rejects `gpu.barrier`: it
    declares no memory effects), as `attnres-to-nvvm` does. Token dims are
    viewed as rows with `memref.collapse_shape` (`memref.expand_shape` for
    one token); ops whose buffers cannot be viewed so, or whose views are not
    at whole 128-bit vectors with static strides and offset (the alignment
    the kernels state), are left alone for `convert-attnres-to-linalg`, as
    are the tensor form and dynamic hidden sizes:

    The CTAs are the tiles of upstream's `scf::tileUsingSCF` on the op's
    TilingInterface: single-row tiles in an `scf.forall` mapped to GPU
    blocks, which becomes the grid (the tiles' row slices fold into the
    kernel's row index).

    * one CTA per token row (per (query, row) for phase 1); thread `t` owns
      chunks `k·T + t` of W elements, W = 128 bits / element width, so every
      global load and store is a 128-bit vector access, coalesced per warp;
    * the CTA streams over the sources once with an online softmax, keeping
      its part of the output row in registers (f32 for every element type);
    * `Σ v²` and `Σ q·v` are reduced with `gpu.shuffle xor` inside warps and
      one word per warp in workgroup memory.

    The thread count T is chosen so that D splits exactly into warps with
    about 4 chunks per thread (e.g. D = 4096 f32: T = 256; D = 7168 bf16:
    T = 224). With `emulate=true` the same decomposition (grid, threads,
    chunk mapping, reduction order, online softmax) is emitted as sequential
    loops over CTAs and threads that run on the CPU.

    `depth_attn_merge_norm` (built by `attnres-fuse-norm-epilogues`) is the
    merge kernel with a second CTA reduction for the RMSNorm of `h`, writing
    the normalized row and `h` only when the op keeps it.

    The gradient ops `depth_attn_grad`, `rms_norm_grad`,
    `depth_attn_merge_grad` and `depth_attn_stats_grad` (memref form, static
    hidden size; static number of queries) become a row-group kernel
    (`min(rows, grad-row-groups)` CTAs of at most 512 threads with about 2
    chunks per thread; CTA `b` takes rows `b, b + G, ...` and keeps the
    gradient of the row-independent operand, dq or dγ, in registers) and a
    column-sum kernel that adds the CTAs' [G, D] f32 partials in a fixed
    order (deterministic, no atomics) into the dq / dγ destination; the
    [G, D] partials are a workspace the pass allocates and frees after the
    column sum (on the stack in emulation). Every row is read from memory once;
    `depth_attn_grad` reads the sources a second time from L1/L2
    (statistics, then dV_j and dq), `depth_attn_stats_grad` 2S more times.
  }];
  let options = [
    Option<"emulate", "emulate", "bool", /*default=*/"false",
           "Emit the kernels' decomposition as CPU loops instead of gpu.launch">,
    Option<"maxThreads", "max-threads", "unsigned", /*default=*/"1024",
           "Upper bound on threads per CTA (a multiple of 32)">,
    Option<"gradRowGroups", "grad-row-groups", "unsigned", /*default=*/"256",
           "CTAs (row groups) of the gradient kernels: each takes every G-th "
           "token row and writes one partial dq/dgain row">,
  ];
  let dependentDialects = [
    "mlir::affine::AffineDialect",
    "mlir::arith::ArithDialect",
    "mlir::gpu::GPUDialect",
    "mlir::LLVM::LLVMDialect",
    "mlir::math::MathDialect",
    "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect",
    "mlir::vector::VectorDialect",
  ];
}

def AttnResGPUFinalizeKernelsPass
    : Pass<"attnres-gpu-finalize-kernels"> {
  let summary = "Prepare bufferized gpu.launch ops for outlining and execution";
  let description = [{
    Run after bufferization, deallocation and `convert-attnres-to-gpu`,
    before kernel outlining:

    * `memory=managed` (default): every host `memref.alloc` becomes
      `gpu.alloc host_shared` (managed memory, usable by host code and
      kernels; `memref.dealloc` becomes `gpu.dealloc`); programs with
      host-side inputs and printing run unchanged;
    * `memory=device`: the function's memref arguments are device pointers;
      allocations become device `gpu.alloc` (the async form), copies
      `gpu.memcpy`: for callers that keep data on the GPU (benchmarks,
      frameworks);
    * in both modes, a constant global (`memref.get_global` of a `constant`
      `memref.global`, e.g. a bufferized `arith.constant`) whose buffer a
      kernel captures or a call receives is copied once per call into
      managed (device) memory at the function's entry and freed at its
      returns: constants live in read-only pages, which not every host can
      register with the driver, so kernel inputs are device-reachable by
      construction;
    * any other host buffer a kernel captures is registered for as long as
      the kernel needs it (`gpu.host_register` / `gpu.host_unregister`): in
      managed mode the function's arguments from entry to each return (a
      caller outside the program may pass host memory), other buffers (e.g.
      a mutable global) around the launch. The runtime leaves memory the
      driver already maps alone and counts nested registrations;
    * `memory=none`: buffers are left as they are.
  }];
  let options = [
    Option<"memory", "memory", "mlir::attnres::GPUMemoryMode",
           /*default=*/"mlir::attnres::GPUMemoryMode::Managed",
           "Where buffers live",
           [{::llvm::cl::values(
             clEnumValN(mlir::attnres::GPUMemoryMode::Managed, "managed",
                        "managed memory; constants copied, outside buffers registered"),
             clEnumValN(mlir::attnres::GPUMemoryMode::Device, "device",
                        "device memory; arguments are device pointers"),
             clEnumValN(mlir::attnres::GPUMemoryMode::None, "none",
                        "buffers left as they are"))}]>,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::memref::MemRefDialect"];
}

def AttnResValidateNVVMTargetPass
    : Pass<"attnres-validate-nvvm-target", "mlir::ModuleOp"> {
  let summary = "Reject NVVM targets that would make LLVM abort";
  let description = [{
    Checks the chip, PTX features and binary format `attnres-to-nvvm` is
    about to use, and fails with a diagnostic instead of the LLVM ERROR
    abort code generation gives (e.g. `sm_90` with the default `+ptx60`), or
    a missing `ptxas` for `bin`/`fatbin`, or a toolkit without libdevice
    (the kernels' exp/log/rsqrt come from it).
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90\"", "GPU chip">,
    Option<"features", "features", "std::string", /*default=*/"\"+ptx80\"",
           "PTX features">,
    Option<"format", "format", "mlir::attnres::NVVMBinaryFormat",
           /*default=*/"mlir::attnres::NVVMBinaryFormat::Isa",
           "Binary format",
           [{::llvm::cl::values(
             clEnumValN(mlir::attnres::NVVMBinaryFormat::Isa, "isa",
                        "PTX, compiled by the driver when the module loads"),
             clEnumValN(mlir::attnres::NVVMBinaryFormat::Bin, "bin",
                        "cubin via ptxas"),
             clEnumValN(mlir::attnres::NVVMBinaryFormat::Fatbin, "fatbin",
                        "cubin + PTX via ptxas and fatbinary"))}]>,
    Option<"cudaPath", "cuda-path", "std::string",
           /*default=*/"mlir::attnres::defaultCudaPathFromEnvironment()",
           "CUDA toolkit root (libdevice, ptxas, fatbinary); default: "
           "$CUDA_HOME, $CUDA_ROOT, $CUDA_PATH or /usr/local/cuda, as "
           "attnres-to-nvvm's cuda-path">,
  ];
}

#endif // ATTNRES_CONVERSION_PASSES_TD
