//===- Passes.td - attnres transformation passes -----------*- tablegen -*-===//

#ifndef ATTNRES_DIALECT_ATTNRES_TRANSFORMS_PASSES_TD
#define ATTNRES_DIALECT_ATTNRES_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def AttnResFusePass : Pass<"attnres-fuse"> {
  let summary = "Fuse RMSNorm + logits + softmax + combine chains into depth_attn";
  let description = [{
    Rewrites the unfused chain a frontend emits

    ```mlir
    %k0 = attnres.rms_norm %v0, %gamma {eps = E} : ...
    %k1 = attnres.rms_norm %v1, %gamma {eps = E} : ...
    %s = attnres.depth_logits %w, [%k0, %k1] : ...
    %a = attnres.depth_softmax %s : ...
    %h = attnres.depth_combine %a, [%v0, %v1] : ...
    ```

    into one `attnres.depth_attn %q, [%v0, %v1] {eps = E}` with the gain
    folded into the query once per site (`%q = γ ⊙ w`, an f32 `linalg.generic`
    over D, not per token), so the normalized keys are never materialized.

    The chain must match exactly: the combine's values are the raw sources
    that were normalized, in the same order; every key is an `rms_norm` with
    the same gain value and the same eps; the logits and the softmax have no
    other users. Any other chain is left unchanged. The normalized keys stay
    when they have other users.

    Numerics (`key-rounding`): `rms_norm` rounds its result, the keys, to
    the sources' element type; `depth_attn` never materializes the keys and
    keeps them in f32. For f32 sources that changes nothing beyond
    summation order. For bf16/f16 sources the fused site is the exact math
    (closer to float64 than the chain), but its results differ from the
    chain's by the effect of the key rounding on the logits
    (docs/pipelines.md states the bound). `key-rounding=f32` (default) fuses
    every chain; `key-rounding=chain` fuses only chains whose keys are f32,
    so bf16/f16 chains keep their results exactly.
  }];
  let options = [
    Option<"keyRounding", "key-rounding", "mlir::attnres::FuseKeyRounding",
           /*default=*/"mlir::attnres::FuseKeyRounding::F32",
           "which chains to fuse: f32 (all; fused keys stay in f32) or chain "
           "(only chains whose keys are f32: bf16/f16 results unchanged)",
           [{::llvm::cl::values(
             clEnumValN(mlir::attnres::FuseKeyRounding::F32, "f32",
                        "fuse every chain; keys stay in f32 (the exact math)"),
             clEnumValN(mlir::attnres::FuseKeyRounding::Chain, "chain",
                        "fuse only chains whose keys are f32"))}]>,
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def AttnResFuseNormEpiloguesPass : Pass<"attnres-fuse-norm-epilogues"> {
  let summary = "Fuse the RMSNorm of a site's or merge's result into it";
  let description = [{
    Rewrites a site or a two-phase merge whose result `h` feeds an
    `attnres.rms_norm` (the next sublayer's PreNorm)

    ```mlir
    %h = attnres.depth_attn_merge %o, %lse, %q, %u : ...
    %n = attnres.rms_norm %h, %gain {eps = 1.0e-05 : f32} : ...
    ```

    into one op that computes both, `attnres.depth_attn_norm` or
    `attnres.depth_attn_merge_norm`:

    ```mlir
    %n = attnres.depth_attn_merge_norm %o, %lse, %q, %u, %gain
        {norm_eps = 1.0e-05 : f32} : ...
    ```

    The kernels then normalize each row of `h` right after computing it (in
    cache) instead of re-reading `h` from memory. `h` stays a result (the
    fused op's second) only when something else uses it; otherwise it is
    never written. Only ops in the value form without destinations fuse,
    with the gain defined before the site and no tensor encodings; the
    results are those of the two ops (same roundings).

    Run it after `attnres-two-phase`, which groups plain `depth_attn`
    sites (the pipelines do). `producers=merges` fuses only merges (the GPU
    pipeline: its site kernel has no norm epilogue).
  }];
  let options = [
    Option<"producers", "producers", "mlir::attnres::NormEpilogueProducers",
           /*default=*/"mlir::attnres::NormEpilogueProducers::All",
           "which ops take the norm epilogue: all (depth_attn and "
           "depth_attn_merge) or merges (depth_attn_merge only)",
           [{::llvm::cl::values(
             clEnumValN(mlir::attnres::NormEpilogueProducers::All, "all",
                        "depth_attn and depth_attn_merge"),
             clEnumValN(mlir::attnres::NormEpilogueProducers::Merges,
                        "merges", "depth_attn_merge only"))}]>,
  ];
}

def AttnResRaisePass
    : Pass<"attnres-raise"> {
  let summary = "Raise AttnRes sites in frontend linalg-on-tensors into "
                "attnres.depth_attn";
  let description = [{
    Recognizes AttnRes sites in the linalg-on-tensors a frontend emits
    (torch-mlir's FX importer, MLIR's TOSA-to-linalg) and rewrites each one
    into one `attnres.depth_attn` whose query is the key-norm gain times the
    pseudo-query (`q = γ ⊙ w`, one f32 `linalg.generic` over the hidden size,
    or the query tensor itself when there is no gain).

    Matching is by dataflow and semantics, not op order or names: a symbolic
    evaluator reads one element of a candidate result through views
    (`expand_shape`, `collapse_shape`, `concat`, `transpose`, `broadcast`,
    static `extract_slice`, copies) and through linalg ops (generic or named,
    by indexing maps, iterator types and body), and the result must be

    ```
    h[t,c] = Σ_j α_j[t] · V_j[t,c],   α = softmax_j(s),   M = max_j s_j
    s_j[t] = ρ_j[t] · Σ_r V_j[t,r] · q(r)
    ρ_j[t] = rsqrt(mean_r V_j[t,r]² + ε)   (or 1 / sqrt(...))
    ```

    with the same `V_j` read in the norm, the logits and the combine, one
    eps and one query for all sources, the softmax over the sources (any
    axis of the frontend's tensors), and `n >= 2` sources. Sums over the
    sources may be reductions (einsum, matmul, `.sum`) or explicit chains of
    adds; casts (`extf`/`truncf`) around steps are allowed. A site is raised
    all or nothing; everything else is left unchanged.

    Numerics: the raised site computes the exact math in f32 (statistics,
    logits, softmax and weighted sum) and rounds once to the result type; a
    bf16 frontend that reduces norms or rounds keys in bf16 is less exact
    than the raised site (docs/frontends.md).

    `report=true` emits a remark per raised site, per rejected candidate (a
    softmax-weighted sum that is not an AttnRes site, with the reason) and a
    count per function.
  }];
  let options = [
    Option<"report", "report", "bool", /*default=*/"false",
           "emit remarks: raised sites, rejected candidates and why">,
    Option<"maxSources", "max-sources", "unsigned", /*default=*/"64",
           "largest number of sources a site may mix (sums over larger "
           "axes are not unrolled)">,
  ];
  let dependentDialects = [
    "mlir::attnres::AttnResDialect",
    "mlir::arith::ArithDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def AttnResTwoPhasePass
    : Pass<"attnres-two-phase"> {
  let summary = "Batch the shared sources of a block's sites (two-phase AttnRes)";
  let description = [{
    Groups the `attnres.depth_attn` sites of a block (in the IR: a region
    block) that share a prefix of sources, identified structurally from SSA
    values: a site belongs to the group of prefix `P` when its sources are
    `P` or `P` followed by one more source `u` (the running partial of a
    Block AttnRes block). For each group it emits one
    `attnres.depth_attn_stats` over `P` for all the group's queries (phase 1)
    and, per site, either the phase-1 row itself (sources = `P`) or an
    `attnres.depth_attn_merge` of `u` (phase 2). This is exact (math §4).

    Whether a group is rewritten is decided by a traffic model, in bytes per
    token row, with `n = |P|`, `S` sites of which `M` merge one source:

    * per site: `S·(n + 1) + M` rows read or written;
    * two-phase: `n` (read once) `+ S` (phase-1 outputs) `+ 3·M` (each merge
      reads its phase-1 row and `u`, writes `h`), plus the LSE;

    so a group of a block with `M = S − 1` pays off from `n = 3` shared
    sources. `mode=force` rewrites every group of at least two sites,
    `mode=off` nothing. Sites whose query is not available before the
    group's first site stay as they are, as do sites without token rows (a
    token dim of static size 0) and groups whose phase-1 output would span
    more than 2^63 - 1 bytes. Queries of dynamic length are cast to the
    static hidden size where it is known. The pass is idempotent.

    A site with a tensor whose static dims span more than 2^63 - 1 bytes is
    reported (every such site, before anything is rewritten) and the pass
    fails.
  }];
  let options = [
    Option<"mode", "mode", "mlir::attnres::TwoPhaseMode",
           /*default=*/"mlir::attnres::TwoPhaseMode::Auto",
           "which groups to rewrite: auto (traffic model), force or off",
           [{::llvm::cl::values(
             clEnumValN(mlir::attnres::TwoPhaseMode::Auto, "auto",
                        "groups the traffic model favours"),
             clEnumValN(mlir::attnres::TwoPhaseMode::Force, "force",
                        "every group of at least two sites"),
             clEnumValN(mlir::attnres::TwoPhaseMode::Off, "off", "none"))}]>,
  ];
  let dependentDialects = [
    "mlir::tensor::TensorDialect",
  ];
}

def AttnResStageTrafficPass
    : Pass<"attnres-stage-traffic"> {
  let summary = "Report the block traffic between pipeline chunks (naive and "
                "with cross-stage caching)";
  let description = [{
    Runs `StageTrafficAnalysis` (attnres/Dialect/AttnRes/Analysis/
    StageTraffic.h) on a function whose ops are assigned to pipeline chunks
    by `attnres.chunk = c : i64` annotations (an op without one belongs to
    the chunk of the nearest preceding annotated op of the body, or chunk
    0). With `stages = P` and `virtual-stages = V` there are `C = P·V`
    chunks and chunk `c` runs on rank `c mod P`; hop `h` goes from chunk `h`
    to chunk `h + 1`.

    For every hop it counts the block summaries live across it (the
    embedding `b_0` included, the running partial excluded) and the ones the
    receiving rank has not received before (math §5 cross-stage caching),
    attaches the result to the function

    ```mlir
    func.func @model(...) attributes {attnres.stage_traffic = {
        cached_blocks = array<i64: 1, 2, 2, 2, 2, 2, 2>,
        naive_blocks = array<i64: 1, 2, 2, 3, 3, 4, 4>,
        naive_bytes_per_token = 1472 : i64, cached_bytes_per_token = 1088 : i64,
        partials = array<i64: 1, 0, 1, 0, 1, 0, 1>, ...}}
    ```

    and prints a per-hop table as a remark. Parameters never travel: the
    results of constants and of cheap folds of parameters (`tensor.empty`,
    `linalg.fill`, casts, reshapes, slices, elementwise ops such as
    `γ ⊙ w`), never of AttnRes ops or annotated compute, and never a site
    source: a constant embedding is an input, like a function argument.
    Values that are neither blocks nor partials but are used in a later
    chunk are counted as `others` and always sent. Bytes count every sent
    value's row (last dimension times element size); per-rank totals are
    added when every shape is static; a count that does not fit in 64 bits
    is a located error. See docs/pipeline-parallel.md.

    `reuse-own-blocks` lets a rank also reuse the blocks it produced itself.
  }];
  let options = [
    Option<"stages", "stages", "int64_t", /*default=*/"1",
           "physical pipeline stages P (ranks), >= 1">,
    Option<"virtualStages", "virtual-stages", "int64_t", /*default=*/"1",
           "virtual stages V per rank, >= 1 (C = P·V chunks)">,
    Option<"reuseOwnBlocks", "reuse-own-blocks", "bool", /*default=*/"false",
           "a rank also reuses the blocks it produced itself">,
  ];
}

def AttnResPipelinePartitionPass
    : Pass<"attnres-pipeline-partition", "mlir::ModuleOp"> {
  let summary = "Turn a chunk-annotated model function into one SPMD MPI "
                "program with cross-stage block caching";
  let description = [{
    For every `func.func` with `attnres.chunk` annotations, builds one
    private function per rank `r < P` that executes the chunks `c` with
    `c mod P = r` in order: it receives what hop `c - 1` sends, runs the
    chunk's ops, and sends what hop `c` sends, exactly the message list of
    `StageTrafficAnalysis` (blocks the receiver does not hold yet, the
    running partial and other live values) with `mpi.send`/`mpi.recv` on
    flattened buffers. Received blocks stay in the rank's function as SSA
    values, which is the receive-side cache reused by later virtual stages.
    Parameters (as in `attnres-stage-traffic`) are materialized by every
    rank that uses them; every other op runs in its chunk, on its rank.

    The original function keeps its name and signature and dispatches on
    `mpi.comm_rank`. Its results are those of the rank owning the chunk of
    the function's terminator (recorded as `attnres.pipeline`'s
    `result_rank`); on the other ranks they are zeros. Ops after the last
    annotated op (prints, returns) run on that rank.

    A module pass: it adds functions to the symbol table, sets the module's
    `dlti.map` entry `"MPI:Implementation"` the MPI lowering reads, and puts
    `mpi.init`/`mpi.finalize` around the body of the `entry` function.

    Values crossing a hop must be statically shaped tensors of f32, f64,
    f16, bf16 or 8- to 64-bit integers. Otherwise the chunking cannot be
    honoured and the pass fails with a located error; it never moves work
    to another rank.
  }];
  let options = [
    Option<"stages", "stages", "int64_t", /*default=*/"1",
           "physical pipeline stages P (ranks), >= 1">,
    Option<"virtualStages", "virtual-stages", "int64_t", /*default=*/"1",
           "virtual stages V per rank, >= 1 (C = P·V chunks)">,
    Option<"reuseOwnBlocks", "reuse-own-blocks", "bool", /*default=*/"false",
           "a rank also reuses the blocks it produced itself">,
    Option<"mpiImplementation", "mpi-implementation", "std::string",
           /*default=*/"\"MPICH\"",
           "MPI ABI the lowering targets: MPICH or OpenMPI">,
    Option<"entry", "entry", "std::string", /*default=*/"\"main\"",
           "function that gets mpi.init/mpi.finalize (empty: none)">,
  ];
  let dependentDialects = [
    "mlir::DLTIDialect",
    "mlir::arith::ArithDialect",
    "mlir::bufferization::BufferizationDialect",
    "mlir::func::FuncDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::memref::MemRefDialect",
    "mlir::mpi::MPIDialect",
    "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def AttnResPlanBuffersPass
    : Pass<"attnres-plan-buffers", "mlir::ModuleOp"> {
  let summary = "Place a function's statically shaped buffers in one arena "
                "by liveness, freeing dead intermediates' memory for reuse";
  let description = [{
    Runs after bufferization and buffer deallocation (on memrefs). Buffer
    deallocation frees every buffer at the end of its function, so a model
    holds all of its intermediates at once (O(layers × T × D) even for Block
    AttnRes) and, with glibc's defaults, maps and faults in fresh pages for
    each of them on every call.

    For every function with a single-block body, the pass computes each
    buffer's live range in that block: from its `memref.alloc` to the last
    op that uses it or any view of it (uses inside a region count at the op
    that holds the region). Buffers with a static shape, identity layout,
    the default memory space, whole-byte elements and exactly one
    unconditional `memref.dealloc` in the same block (possibly under an
    `scf.if` on a constant true, as the deallocation pipeline emits) are
    placed at 64-byte aligned offsets of one arena so that buffers whose
    live ranges overlap never overlap in memory (greedy by decreasing size,
    first fit); each becomes a `memref.view` of the arena and its dealloc
    goes away. A buffer that escapes (returned, yielded out of a region,
    turned into a pointer, or a view that is not a `ViewLikeOpInterface`
    op) is left alone. Buffers that cannot be placed (dynamic shapes) but
    whose lifetime is known get their `memref.dealloc` moved right after
    their last use.

    `arena` says where the arena lives:

    * `static` (default): in a zero-initialized private global of the
      planned size per function (no allocation, and no page faults after
      the first call). The function takes it with an atomic exchange on a
      flag; a caller that finds it taken (another thread, recursion)
      allocates its own arena for the call instead. The memory stays
      reserved for the life of the program.
    * `per-call`: one `memref.alloc` per call, freed before returning.
    * `off`: nothing is placed; only deallocs move.

    `report` emits a remark per function with the number of planned
    buffers, their total size and the arena's size. In `static` mode the
    arena is the global `@__attnres_arena_<function>`, whose type states
    its size in the lowered IR too.
  }];
  let options = [
    Option<"arena", "arena", "mlir::attnres::BufferArena",
           /*default=*/"mlir::attnres::BufferArena::Static",
           "where planned buffers live: static (a global per function, "
           "reused across calls), per-call (one allocation per call) or off",
           [{::llvm::cl::values(
             clEnumValN(mlir::attnres::BufferArena::Static, "static",
                        "a private global per function, reused across "
                        "calls"),
             clEnumValN(mlir::attnres::BufferArena::PerCall, "per-call",
                        "one allocation per call"),
             clEnumValN(mlir::attnres::BufferArena::Off, "off",
                        "place nothing; only move deallocs"))}]>,
    Option<"report", "report", "bool", /*default=*/"false",
           "emit a remark per function with the planned bytes">,
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect",
  ];
}

def AttnResAddDestinationsPass : Pass<"attnres-add-destinations"> {
  let summary = "Give value-form attnres ops tensor.empty destinations "
                "(destination-passing style before bufferization)";
  let description = [{
    Rewrites every attnres op that has a memref form
    (`BufferizableOpInterface`) and is in the value form without
    destinations into the same op with one `tensor.empty` destination per
    result, shaped like the result (the op's reified result shapes for
    dynamic sizes):

    ```mlir
    %h = attnres.depth_attn %q, [%v0, %v1] : tensor<64xf32>, tensor<?x64xf32> -> tensor<?x64xf32>
    ```

    becomes

    ```mlir
    %d = tensor.dim %v0, %c0 : tensor<?x64xf32>
    %e = tensor.empty(%d) : tensor<?x64xf32>
    %h = attnres.depth_attn %q, [%v0, %v1] outs(%e : tensor<?x64xf32>) : tensor<64xf32>, tensor<?x64xf32> -> tensor<?x64xf32>
    ```

    The meaning is the same (destinations are written, never read). Run
    before `eliminate-empty-tensors` and `one-shot-bufferize` when the ops
    are kept through bufferization (`convert-attnres-to-linalg{keep-bufferizable}`):
    a result that ends in a destination (`bufferization.materialize_in_destination`,
    e.g. a caller's output buffer) is then computed in that buffer instead
    of a new allocation copied into it. `attnres-to-llvm` and
    `attnres-to-nvvm` run it so.
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def AttnResCheckLoweredPass : Pass<"attnres-check-lowered"> {
  let summary = "Fail, naming each op, if attnres ops are left";
  let description = [{
    Emits an error at every `attnres` op under the anchor and fails. The
    pipelines run it right after their attnres lowering, so a pipeline either
    lowers every attnres op or fails naming the ones it could not (e.g. ops
    inside a `gpu.func` or a nested module: the per-function lowerings run on
    the functions directly in the module).

    With `keep-bufferizable`, ops that implement
    `bufferization::BufferizableOpInterface` inside functions directly under
    the anchor are not reported: `attnres-to-nvvm` checks before
    bufferization that every op its lowering after bufferization will not
    reach is gone (bufferization may erase an unused op), and checks the
    rest after that lowering.
  }];
  let options = [
    Option<"keepBufferizable", "keep-bufferizable", "bool",
           /*default=*/"false",
           "Do not report ops with a BufferizableOpInterface model in "
           "functions directly under the anchor">,
  ];
}

def AttnResPrepareExportPass : Pass<"attnres-prepare-export", "::mlir::ModuleOp"> {
  let summary = "Make a lowered module portable to other MLIR compilers (IREE)";
  let description = [{
    The last step of `attnres-export-linalg`: the module leaves attnres as
    linalg on tensors for a compiler that cannot load attnres (IREE bundles
    its own MLIR). The pass

    - removes `llvm.emit_c_interface` from functions (an attnres-to-llvm
      convention that means nothing to other compilers),
    - erases unused function declarations whose signature has unranked
      types (e.g. `func.func private @printMemrefF32(tensor<*xf32>)`, which
      IREE's native ABI rejects), and reports used ones,
    - reports public functions whose arguments or results are not ranked
      tensors, integers, indices or floats (memrefs, unranked tensors):
      IREE's entry points take and return tensors.

    Every report is an error at the function, and the pass fails.

    ```mlir
    // before
    func.func @site(%q: tensor<16xf32>, ...) -> tensor<4x16xf32>
        attributes {llvm.emit_c_interface} { ... }
    func.func private @printMemrefF32(tensor<*xf32>)
    // after
    func.func @site(%q: tensor<16xf32>, ...) -> tensor<4x16xf32> { ... }
    ```
  }];
}

def AttnResBuildBackwardPass
    : Pass<"attnres-build-backward", "::mlir::ModuleOp"> {
  let summary = "Build the backward (vector-Jacobian product) of a model "
                "function made of attnres ops, glue and sublayer calls";
  let description = [{
    For every `func.func` named in `functions`, adds a function
    `@<name>_backward` that takes the forward's arguments followed by one
    cotangent per forward result, recomputes the forward (the gradient ops
    recompute their statistics from their inputs; nothing is saved), and
    returns the gradient of every argument (queries and gains included):

    ```mlir
    func.func @f(%q: tensor<16xf32>, %v0: tensor<4x16xf32>,
                 %v1: tensor<4x16xf32>) -> tensor<4x16xf32> {
      %h = attnres.depth_attn %q, [%v0, %v1] : tensor<16xf32>,
          tensor<4x16xf32> -> tensor<4x16xf32>
      return %h : tensor<4x16xf32>
    }
    // added:
    func.func @f_backward(%q: ..., %v0: ..., %v1: ..., %dh: tensor<4x16xf32>)
        -> (tensor<16xf32>, tensor<4x16xf32>, tensor<4x16xf32>) {
      %h = attnres.depth_attn ...          // forward, recomputed (DCE'd if unused)
      %dq, %dv:2 = attnres.depth_attn_grad %q, [%v0, %v1], %dh ...
      return %dq, %dv#0, %dv#1 : ...
    }
    ```

    Reverse-mode rules (docs/semantics.md, "Gradients"): `depth_attn`,
    `rms_norm`, `depth_attn_stats` and `depth_attn_merge` get their
    gradient ops; `block_summary` passes its cotangent to every summand, so
    the gradient of a Block AttnRes sublayer output is the sum of what
    reaches it through every running partial and block summary that
    contains it; the gradients that reach one value are added with one
    `attnres.block_summary`. Glue: `tensor.extract_slice` (e.g. a row of
    stacked queries), `tensor.insert_slice`, `tensor.collapse_shape` /
    `expand_shape`, `linalg.transpose`, `linalg.matmul` (default maps),
    and elementwise `arith.addf` / `subf` / `mulf` / `negf` on tensors.

    Sublayers are `func.call`s whose callee names its vector-Jacobian
    product with the discardable attribute `attnres.vjp = @callee_vjp`:
    `@callee_vjp(callee arguments..., result cotangents...) -> (argument
    cotangents...)`. The caller provides them (with the gradients of the
    sublayer's own parameters when those are arguments), because a sublayer
    is arbitrary code (attention, MLP, fused kernels) whose backward the
    model's author already has; the attnres ops are what a compiler must
    differentiate. A value that depends on an argument and is computed by
    anything else (a `linalg.generic`, a call without `attnres.vjp`, the
    unfused `depth_logits` / `depth_softmax` / `depth_combine`) is a
    located error naming the op, before anything is built.

    Arguments and results must be ranked f32 / f16 / bf16 tensors. A
    result that depends on no argument, or an argument that no result
    depends on, gets a zero gradient.
  }];
  let options = [
    ListOption<"functions", "functions", "std::string",
               "the func.func ops to differentiate (by symbol name)">,
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::attnres::AttnResDialect",
    "mlir::func::FuncDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect",
  ];
}

#endif // ATTNRES_DIALECT_ATTNRES_TRANSFORMS_PASSES_TD
