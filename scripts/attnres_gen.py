#!/usr/bin/env python3
"""attnres_gen.py: numpy reference for Attention Residuals, and a generator of
self-checking MLIR test programs.

Part 1 is an independent float64 reference of attnres-math.md §1-4 (the
normative math that docs/semantics.md follows), written from the math, not from
the attnres lowering: the fused site (§1), its unfused four steps, RMSNorm,
Full AttnRes (§2), the Block AttnRes state machine with its output site (§3)
and the two-phase stats/merge form (§4).

Part 2 emits an MLIR module whose `@main` builds the inputs as dense constants
(seeded RNG), calls a function under test that uses attnres ops, compares the
result in IR against the reference (also dense constants), prints the maximum
absolute error and the number of mismatches, and ends with a line `PASS` or
`FAIL`. An element fails when NOT (|got - ref| <= atol + rtol * |ref|), so NaN
and Inf fail too.

Usage (the model cases use f32):
  attnres_gen.py --case site --dtype bf16 --sources 5 --rows 4 --hidden 32 [--dynamic-rows] --seed 1
  attnres_gen.py --case unfused|stats|merge ...   (same shape flags; stats/merge take --queries)
  attnres_gen.py --case full --layers 12 --hidden 16 --rows 4
  attnres_gen.py --case block --layers 12 --block-size 4 --hidden 16 --rows 4 [--two-phase]
  attnres_gen.py --case block ... --example        (main prints the output instead)
  attnres_gen.py --case block ... --stages 4 --virtual-stages 2 [--embedding constant]
      (pipeline chunks; the function prints and checks its result; the embedding is
      its argument, or with --embedding constant a dense constant in its body)
  attnres_gen.py --verify-output EXAMPLE.mlir OUTPUT.txt   (re-derives the example from the
      arguments recorded in its header, checks the printed memref against the reference)
  attnres_gen.py --self-test                        (checks the reference against math §1-§4)

`--rows` is a token shape: `4`, `2x3`, or `""` for a rank-1 source (no token dims);
sizes may be 0 (zero-size constants are `dense<>`), except where the program slices a
static zero-size dimension (merge, --two-phase, --output-column-offset), which MLIR's
tensor.extract_slice/insert_slice verifier rejects: use --dynamic-rows there.
Only Python 3 and numpy are needed.

The IR is written with the attnres Python package's pure-Python modules,
loaded from the source tree (python-bindings/attnres; no build needed): the
op text from `attnres.ir`, the models' structure (the Block AttnRes state
machine, two-phase, running sums, pipeline chunks) from
`attnres.builders.block_attnres`/`full_attnres`. This script adds what the
tests need on top: random inputs, the float64 references, the data as
constants, and the in-IR checks of @main.
"""

import argparse
import importlib
import importlib.util
import os
import re
import shlex
import sys

import numpy as np


def load_package_modules():
    """`attnres.ir`, `attnres.builders` and `attnres.reference` (the numpy
    reference) from python-bindings/attnres of
    this source tree, without the package's __init__ (which loads the
    native module `_attnres` of a build). They import each other relatively,
    so they are loaded as the submodules of a stand-in package."""
    here = os.path.dirname(os.path.abspath(__file__))
    pkg_dir = os.path.join(os.path.dirname(here), "python-bindings", "attnres")
    pkg = "_attnres_pure"
    if pkg not in sys.modules:
        spec = importlib.util.spec_from_loader(pkg, loader=None, is_package=True)
        mod = importlib.util.module_from_spec(spec)
        mod.__path__ = [pkg_dir]
        sys.modules[pkg] = mod
    return tuple(importlib.import_module(pkg + "." + m) for m in ("ir", "builders", "reference"))


IR, B, R = load_package_modules()

# ===========================================================================
# Part 1: float64 reference (attnres-math.md; "math §N" below)
# ===========================================================================


# The site (math §1), RMSNorm and the models (§2, §3) are attnres.reference's
# (the project's one numpy reference; float64, written from the math).
inv_rms = R.inv_rms      # ρ[t] = ((1/d)·Σ_c v[t,c]² + ε)^(-1/2)
rms_norm = R.rms_norm    # y[t,c] = x[t,c] · ρ[t] · γ[c]
site = R.site            # h = Σ_j softmax_j(ρ_j·(q·V_j)) V_j


def f32_logit_error(sources, q, eps):
    """Per source and token row, how far f32 arithmetic may move the logit
    s_j = ρ_j·(q·V_j) for these data: the largest deviation from float64 of
    the f32 logit computed in two summation orders the lowerings use
    (sequential along D, and 16 lanes then the lanes), times a margin of 8,
    plus 8 ulp of |s_j| (rsqrt, product). [n, T...] array."""
    q32 = np.asarray(q, np.float32)
    out = []
    for v in sources:
        v64 = np.asarray(v, np.float64)
        s64 = inv_rms(v64, eps) * (v64 @ np.asarray(q, np.float64))
        v32 = v64.astype(np.float32)
        d = v32.shape[-1]
        worst = np.zeros(s64.shape)
        for lanes in (1, 16):
            if d % lanes:
                continue
            sq = (v32 * v32).reshape(v32.shape[:-1] + (d // lanes, lanes))
            dt = (v32 * q32).reshape(sq.shape)
            # Sequential f32 accumulation along D (per lane), then the lanes.
            ss = np.cumsum(sq, axis=-2, dtype=np.float32)[..., -1, :].sum(
                axis=-1, dtype=np.float32)
            dot = np.cumsum(dt, axis=-2, dtype=np.float32)[..., -1, :].sum(
                axis=-1, dtype=np.float32)
            rho = (np.float32(1.0) / np.sqrt(ss / np.float32(d) + np.float32(eps))
                   ).astype(np.float32)
            s32 = (rho * dot).astype(np.float64)
            worst = np.maximum(worst, np.abs(s32 - s64))
        out.append(8.0 * worst + 8.0 * 2.0 ** -24 * np.abs(s64))
    return np.stack(out)


def logit_conditioning(sources, q, eps):
    """Per element, how much those logit errors δs may move h = Σ_j α_j V_j:
    δh_c = Σ_j α_j (δs_j − Σ_k α_k δs_k)(V_jc − h_c), so
    |δh_c| ≤ 2·max_j δs_j · Σ_j α_j |V_jc − h_c|. Large only where the
    softmax is sensitive (near-tied large logits), ~0 for peaked or flat
    rows. [T..., d] array."""
    V = [np.asarray(v, np.float64) for v in sources]
    q = np.asarray(q, np.float64)
    s = np.stack([inv_rms(v, eps) * (v @ q) for v in V])
    e = np.exp(s - s.max(axis=0))
    alpha = e / e.sum(axis=0)
    h = sum(alpha[j][..., None] * v for j, v in enumerate(V))
    spread = sum(alpha[j][..., None] * np.abs(v - h) for j, v in enumerate(V))
    ds = f32_logit_error(V, q, eps).max(axis=0)
    return 2.0 * ds[..., None] * spread


def depth_logits(w, keys):
    """s[j,t] = Σ_c w[c]·k_j[t,c], source axis first."""
    return np.stack([np.asarray(k, np.float64) @ np.asarray(w, np.float64)
                     for k in keys])


def depth_softmax(s):
    """Stable softmax over dimension 0."""
    e = np.exp(s - s.max(axis=0))
    return e / e.sum(axis=0)


def depth_combine(a, values):
    """h[t,:] = Σ_j a[j,t]·v_j[t,:]."""
    return sum(a[j][..., None] * np.asarray(v, np.float64)
               for j, v in enumerate(values))


def unfused_site(sources, w, gamma, eps, key_round=lambda x: x):
    """Math §1, the four unfused steps a frontend produces:
    k_j = RMSNorm_γ(V_j); s_j = w·k_j; α = softmax_j(s); h = Σ α_j V_j.
    `key_round` models storing k_j in the sources' element type."""
    keys = [key_round(rms_norm(v, gamma, eps)) for v in sources]
    return depth_combine(depth_softmax(depth_logits(w, keys)), sources)


def depth_attn_stats(Q, sources, eps):
    """Math §4, phase 1 for queries Q [S, d] over shared sources [T..., d].
    Returns (ô [S, T..., d], LSE [S, T...])."""
    B = [np.asarray(b, np.float64) for b in sources]
    Q = np.asarray(Q, np.float64)
    if Q.shape[0] == 0:  # no queries: empty results
        return np.zeros((0,) + B[0].shape), np.zeros((0,) + B[0].shape[:-1])
    rho = [inv_rms(b, eps) for b in B]
    # s[q, j, t] = ρ_j[t] · (Q_q · b_j[t, :])
    s = np.stack([np.stack([rho[j] * (B[j] @ Q[qi]) for j in range(len(B))])
                  for qi in range(Q.shape[0])])
    m = s.max(axis=1)
    p = np.exp(s - m[:, None])
    ell = p.sum(axis=1)
    o = np.zeros((Q.shape[0],) + B[0].shape)
    for qi in range(Q.shape[0]):
        for j, b in enumerate(B):
            o[qi] += p[qi, j][..., None] * b
        o[qi] /= ell[qi][..., None]
    return o, m + np.log(ell)


def depth_attn_merge(o, lse, q, u, eps):
    """Math §4, phase 2: merge one source u into (ô, LSE) by online softmax."""
    u = np.asarray(u, np.float64)
    s_u = inv_rms(u, eps) * (u @ np.asarray(q, np.float64))
    sig = 1.0 / (1.0 + np.exp(-(s_u - lse)))
    return o + sig[..., None] * (u - o)


def sublayer(h, W, g, norm_eps):
    """The test models' sublayer: f_l(h) = tanh(RMSNorm_g(h) @ W)."""
    return np.tanh(rms_norm(h, g, norm_eps) @ W)


def _model_args(params, norm_eps):
    """(queries [L + 1, d], sublayer(l, h)) of attnres.reference's models."""
    queries = list(params["q"]) + [params["q_out"]]
    return queries, lambda l, h: sublayer(h, params["W"][l], params["g"][l], norm_eps)


def block_attnres(emb, params, block_size, eps, norm_eps):
    """Math §3 (attnres.reference.block_attnres) with its output site.
    params = {"W": [L][d,d], "g": [L][d], "q": [L][d], "q_out": [d]}.
    block_size = 1 is Full AttnRes."""
    queries, f = _model_args(params, norm_eps)
    return R.block_attnres(emb, queries, f, block_size, eps)


def full_attnres(emb, params, eps, norm_eps):
    """Math §2 (attnres.reference.full_attnres): sublayer l attends over
    [v_0 = emb, v_1..v_l] (raw sublayer outputs); the output site over all
    L + 1."""
    queries, f = _model_args(params, norm_eps)
    return R.full_attnres(emb, queries, f, eps)


def block_attnres_two_phase(emb, params, block_size, eps, norm_eps):
    """Math §4: Block AttnRes computed block by block with phase 1 over the
    completed blocks (all queries of the block) and phase-2 merges."""
    L = len(params["W"])
    blocks = [emb]
    for start in range(0, L, block_size):
        idx = list(range(start, min(start + block_size, L)))
        o, lse = depth_attn_stats([params["q"][l] for l in idx], blocks, eps)
        partial = None
        for i, l in enumerate(idx):
            if partial is None:
                h = emb if l == 0 else o[i]
            else:
                h = depth_attn_merge(o[i], lse[i], params["q"][l], partial, eps)
            out = sublayer(h, params["W"][l], params["g"][l], norm_eps)
            partial = out if partial is None else partial + out
        if idx[-1] != L - 1:
            blocks.append(partial)
    o, lse = depth_attn_stats([params["q_out"]], blocks, eps)
    return depth_attn_merge(o[0], lse[0], params["q_out"], partial, eps)


def model_chunks(L, C):
    """Pipeline mode: chunk of each of the L sublayers, C balanced chunks of
    consecutive sublayers (sublayer l -> floor(l*C/L))."""
    return [l * C // L for l in range(L)]


def pipeline_traffic(L, S, chunk_of, C, P, reuse_own=False):
    """Math §5, from the Block AttnRes state machine (math §3), not from IR:
    blocks sent per hop h (chunk h -> h+1, rank h%P -> (h+1)%P), naive and
    with the receive-side cache, and the running partial per hop. The output
    site runs in chunk C-1; b_0 (the embedding) starts on rank 0. Block n
    (1-based) is complete after its last sublayer; the last block b_N only
    feeds the output site, so it is the partial there (as in the state
    machine's `blocks + [partial]`). Returns (naive, cached, partials)."""
    N = (L + S - 1) // S
    done = {0: 0}
    for n in range(1, N + 1):
        done[n] = chunk_of[min(n * S, L) - 1]
    holds = [set() for _ in range(P)]
    holds[0].add(0)
    naive, cached, partials = [], [], []
    for c in range(C - 1):
        if reuse_own:
            holds[c % P] |= {n for n in range(1, N) if done[n] == c}
        to = (c + 1) % P
        if to == c % P:  # P = 1: nothing leaves the rank
            naive.append(0), cached.append(0), partials.append(0)
            continue
        live = [n for n in range(N) if done[n] <= c]
        ran = [l for l in range(L) if chunk_of[l] <= c]
        partial = 0
        if ran and (ran[-1] == L - 1 or (ran[-1] + 1) % S != 0):
            partial = 1  # a block in progress, or b_N waiting for the output site
        send = [n for n in live if n not in holds[to]]
        holds[to] |= set(send)
        naive.append(len(live))
        cached.append(len(send))
        partials.append(partial)
    return naive, cached, partials


def expected_traffic_attr(args):
    """The `attnres.stage_traffic` dictionary attnres-stage-traffic must attach
    to the --stages model, from pipeline_traffic (f32 rows of D elements)."""
    L, D, M = args.layers, args.hidden, int(args.rows)
    S = 1 if args.case == "full" else args.block_size
    P, V = args.stages, args.virtual_stages
    C = P * V
    naive, cached, partials = pipeline_traffic(L, S, model_chunks(L, C), C, P,
                                               args.reuse_own_blocks)
    row = 4 * D
    per_rank_naive, per_rank_cached = [0] * P, [0] * P
    for h in range(C - 1):
        per_rank_naive[h % P] += (naive[h] + partials[h]) * row * M
        per_rank_cached[h % P] += (cached[h] + partials[h]) * row * M
    arr = lambda xs: "array<i64: %s>" % ", ".join(str(x) for x in xs) if xs else "array<i64>"
    fields = [
        ("cached_blocks", arr(cached)),
        ("cached_bytes_per_rank", arr(per_rank_cached)),
        ("cached_bytes_per_token", "%d : i64" % ((sum(cached) + sum(partials)) * row)),
        ("chunks", "%d : i64" % C),
        ("naive_blocks", arr(naive)),
        ("naive_bytes_per_rank", arr(per_rank_naive)),
        ("naive_bytes_per_token", "%d : i64" % ((sum(naive) + sum(partials)) * row)),
        ("others", arr([0] * (C - 1))),
        ("partials", arr(partials)),
    ]
    if args.reuse_own_blocks:
        fields.append(("reuse_own_blocks", None))
    fields += [("stages", "%d : i64" % P), ("virtual_stages", "%d : i64" % V)]
    return "{%s}" % ", ".join(k if v is None else "%s = %s" % (k, v) for k, v in fields)


# ===========================================================================
# Element types: rounding and literals
# ===========================================================================


def round_bf16(x):
    """Round to bf16 (round to nearest even on the f32 bit pattern)."""
    f = np.ascontiguousarray(np.asarray(x, np.float64).astype(np.float32))
    u = f.view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000
    return u.astype(np.uint32).view(np.float32).astype(np.float64)


def round_to(dtype, x):
    """The value an MLIR tensor of `dtype` holds for x (as float64)."""
    x = np.asarray(x, np.float64)
    if dtype == "f32":
        return x.astype(np.float32).astype(np.float64)
    if dtype == "f16":
        return x.astype(np.float16).astype(np.float64)
    if dtype == "bf16":
        return round_bf16(x)
    raise ValueError(dtype)


# MLIR literals and types: attnres.ir.
lit = IR.float_literal
dense = IR.dense_literal
tensor_type = IR.tensor_type


def empty_like(var, dims, dt, src, src_t, src_dim):
    """Lines defining `%var = tensor.empty(...)` of `dims` (None: dynamic),
    the dynamic sizes read with tensor.dim from `src` (of type `src_t`):
    result dim i is dim src_dim(i) of `src`."""
    lines, dyn = [], []
    for i, d in enumerate(dims):
        if d is None:
            lines.append("    %%%s_i%d = arith.constant %d : index" % (var, i, src_dim(i)))
            lines.append("    %%%s_d%d = tensor.dim %s, %%%s_i%d : %s" % (var, i, src, var, i, src_t))
            dyn.append("%%%s_d%d" % (var, i))
    lines.append("    %%%s = tensor.empty(%s) : %s" % (var, ", ".join(dyn), tensor_type(dims, dt)))
    return lines


def parse_rows(spec):
    spec = spec.strip()
    if spec in ("", "none", "scalar"):
        return []
    return [int(x) for x in spec.split("x")]


# ===========================================================================
# Tolerances
# ===========================================================================

# Output rounding of the element type (unit roundoff) and its test tolerance:
#   f32:  2^-24 = 6e-8; the f32 statistics/softmax/weighted sum add a few ulps
#         of the logits and of the largest source: rtol 1e-5 leaves >10x margin.
#   f16:  2^-11 = 4.9e-4 from the one final rounding: rtol 2e-3 (4x margin).
#   bf16: 2^-9 = 2.0e-3 from the one final rounding: rtol 1e-2 (5x margin).
# The absolute term is scaled by max|source|: h is a convex combination of the
# sources, so its f32 error is relative to them, not to |h| (which can cancel).
RTOL = {"f32": 1e-5, "f16": 2e-3, "bf16": 1e-2}
ATOL = {"f32": 1e-5, "f16": 1e-4, "bf16": 1e-4}
WHY = {"f32": "f32 statistics, softmax and sum: a few ulps",
       "f16": "one final f16 rounding, unit roundoff 2^-11 = 4.9e-4",
       "bf16": "one final bf16 rounding, unit roundoff 2^-9 = 2.0e-3"}


class Tol:
    def __init__(self, atol, rtol, why, elem=None):
        self.atol = float(np.float32(atol))
        self.rtol = float(np.float32(rtol))
        self.why = why
        # Optional per-element absolute term added to atol (the conditioning
        # of ill-conditioned elements); None when it is negligible.
        self.elem = elem

    def with_conditioning(self, cond):
        """This tolerance plus a per-element term `cond` (same shape as the
        checked result), kept only where it matters: above 1/4 of atol."""
        cond = np.asarray(cond, np.float64)
        if cond.size == 0 or float(cond.max()) <= 0.25 * self.atol:
            return self
        return Tol(self.atol, self.rtol,
                   self.why + "; plus per element the f32 logits' error times the "
                   "softmax's sensitivity (max %g)" % float(cond.max()), elem=cond)


# ===========================================================================
# Part 2: MLIR emission
# ===========================================================================


class Emitter:
    """Builds one module: a function under test, check helpers, and @main."""

    def __init__(self, header):
        self.header = header
        self.funcs = []
        self.checks = {}
        self.main = []
        self.n = 0
        self.results = []  # (ssa count i32, ssa maxerr f32)
        self.tol_lines = []
        self.perturb = 0.0
        self.main_returns_i32 = False  # @main() -> i32 (native executables)
        self.checks_done = False

    def fresh(self, stem="v"):
        self.n += 1
        return "%%%s%d" % (stem, self.n)

    def m(self, line):
        self.main.append("    " + line)

    def constant(self, values, dtype, stem="cst"):
        values = np.asarray(values)
        name = self.fresh(stem)
        self.m("%s = arith.constant %s : %s" %
               (name, dense(round_to(dtype, values), dtype),
                tensor_type(values.shape, dtype)))
        return name

    def check_fn(self, shape, dtype, elementwise=False):
        key = (tuple(shape), dtype, elementwise)
        if key in self.checks:
            return self.checks[key]
        name = "@check_" + tensor_type(shape, dtype)[7:-1] + ("_atols" if elementwise else "")
        r = len(shape)
        d = ", ".join("d%d" % i for i in range(r))
        ident = "affine_map<(%s) -> (%s)>" % (d, d)
        scal = "affine_map<(%s) -> ()>" % d
        iters = ", ".join(['"reduction"'] * r)
        got_t = tensor_type(shape, dtype)
        ref_t = tensor_type(shape, "f32")
        if elementwise:
            return self._check_fn_elementwise(key, name, ident, scal, iters, got_t, ref_t, dtype)
        ext = ("%gf = arith.extf %g : {} to f32".format(dtype)
               if dtype != "f32" else None)
        gv = "%gf" if ext else "%g"
        body = [
            "  // Counts elements with NOT(|got - ref| <= atol + rtol*|ref|) (NaN counts)",
            "  // and returns that count and max |got - ref|.",
            "  func.func private %s(%%got: %s, %%ref: %s, %%atol: f32, %%rtol: f32) -> (i32, f32) {"
            % (name, got_t, ref_t),
            "    %zi = arith.constant 0 : i32",
            "    %zf = arith.constant 0.0 : f32",
            "    %ei = tensor.empty() : tensor<i32>",
            "    %ni = linalg.fill ins(%zi : i32) outs(%ei : tensor<i32>) -> tensor<i32>",
            "    %ef = tensor.empty() : tensor<f32>",
            "    %mi = linalg.fill ins(%zf : f32) outs(%ef : tensor<f32>) -> tensor<f32>",
            "    %%r:2 = linalg.generic {indexing_maps = [%s, %s, %s, %s], iterator_types = [%s]}"
            % (ident, ident, scal, scal, iters),
            "        ins(%%got, %%ref : %s, %s) outs(%%ni, %%mi : tensor<i32>, tensor<f32>) {"
            % (got_t, ref_t),
            "    ^bb0(%%g: %s, %%e: f32, %%n: i32, %%m: f32):" % dtype,
        ]
        if ext:
            body.append("      " + ext)
        body += [
            "      %%d = arith.subf %s, %%e : f32" % gv,
            "      %ad = math.absf %d : f32",
            "      %ae = math.absf %e : f32",
            "      %rt = arith.mulf %rtol, %ae : f32",
            "      %tol = arith.addf %atol, %rt : f32",
            "      %bad = arith.cmpf ugt, %ad, %tol : f32",
            "      %b = arith.extui %bad : i1 to i32",
            "      %n2 = arith.addi %n, %b : i32",
            "      %m2 = arith.maximumf %m, %ad : f32",
            "      linalg.yield %n2, %m2 : i32, f32",
            "    } -> (tensor<i32>, tensor<f32>)",
            "    %count = tensor.extract %r#0[] : tensor<i32>",
            "    %maxerr = tensor.extract %r#1[] : tensor<f32>",
            "    return %count, %maxerr : i32, f32",
            "  }",
        ]
        self.funcs.append("\n".join(body))
        self.checks[key] = name
        return name

    def _check_fn_elementwise(self, key, name, ident, scal, iters, got_t, ref_t, dtype):
        """Like the scalar check, with atol + extra[i] per element."""
        ext = ("%gf = arith.extf %g : {} to f32".format(dtype)
               if dtype != "f32" else None)
        gv = "%gf" if ext else "%g"
        body = [
            "  // Counts elements with NOT(|got - ref| <= atol + extra + rtol*|ref|)",
            "  // (extra: per element) and returns that count and max |got - ref|.",
            "  func.func private %s(%%got: %s, %%ref: %s, %%extra: %s, %%atol: f32, %%rtol: f32) -> (i32, f32) {"
            % (name, got_t, ref_t, ref_t),
            "    %zi = arith.constant 0 : i32",
            "    %zf = arith.constant 0.0 : f32",
            "    %ei = tensor.empty() : tensor<i32>",
            "    %ni = linalg.fill ins(%zi : i32) outs(%ei : tensor<i32>) -> tensor<i32>",
            "    %ef = tensor.empty() : tensor<f32>",
            "    %mi = linalg.fill ins(%zf : f32) outs(%ef : tensor<f32>) -> tensor<f32>",
            "    %%r:2 = linalg.generic {indexing_maps = [%s, %s, %s, %s, %s], iterator_types = [%s]}"
            % (ident, ident, ident, scal, scal, iters),
            "        ins(%%got, %%ref, %%extra : %s, %s, %s) outs(%%ni, %%mi : tensor<i32>, tensor<f32>) {"
            % (got_t, ref_t, ref_t),
            "    ^bb0(%%g: %s, %%e: f32, %%x: f32, %%n: i32, %%m: f32):" % dtype,
        ]
        if ext:
            body.append("      " + ext)
        body += [
            "      %%d = arith.subf %s, %%e : f32" % gv,
            "      %ad = math.absf %d : f32",
            "      %ae = math.absf %e : f32",
            "      %rt = arith.mulf %rtol, %ae : f32",
            "      %at = arith.addf %atol, %x : f32",
            "      %tol = arith.addf %at, %rt : f32",
            "      %bad = arith.cmpf ugt, %ad, %tol : f32",
            "      %b = arith.extui %bad : i1 to i32",
            "      %n2 = arith.addi %n, %b : i32",
            "      %m2 = arith.maximumf %m, %ad : f32",
            "      linalg.yield %n2, %m2 : i32, f32",
            "    } -> (tensor<i32>, tensor<f32>)",
            "    %count = tensor.extract %r#0[] : tensor<i32>",
            "    %maxerr = tensor.extract %r#1[] : tensor<f32>",
            "    return %count, %maxerr : i32, f32",
            "  }",
        ]
        self.funcs.append("\n".join(body))
        self.checks[key] = name
        return name

    def check(self, got, shape, dtype, ref, tol, what):
        """Compare SSA value `got` (static type) with the reference: an array
        (emitted as an f32 constant) or an SSA value of f32 elements."""
        fn = self.check_fn(shape, dtype, elementwise=tol.elem is not None)
        if isinstance(ref, str):
            ref_c = ref
        else:
            ref = np.asarray(ref, np.float64) + self.perturb
            ref_c = self.constant(ref.astype(np.float32), "f32", "ref")
        atol = self.fresh("atol")
        rtol = self.fresh("rtol")
        self.m("%s = arith.constant %s : f32" % (atol, lit(tol.atol, "f32")))
        self.m("%s = arith.constant %s : f32" % (rtol, lit(tol.rtol, "f32")))
        cnt, err = self.fresh("bad"), self.fresh("err")
        if tol.elem is not None:
            # Rounded up so that the f32 constant is not below the bound.
            extra = np.nextafter(np.asarray(tol.elem, np.float64).astype(np.float32),
                                 np.float32(np.inf))
            extra_c = self.constant(np.asarray(extra, np.float64).reshape(shape), "f32", "extra")
            self.m("%s, %s = func.call %s(%s, %s, %s, %s, %s) : (%s, %s, %s, f32, f32) -> (i32, f32)"
                   % (cnt, err, fn, got, ref_c, extra_c, atol, rtol,
                      tensor_type(shape, dtype), tensor_type(shape, "f32"),
                      tensor_type(shape, "f32")))
        else:
            self.m("%s, %s = func.call %s(%s, %s, %s, %s) : (%s, %s, f32, f32) -> (i32, f32)"
                   % (cnt, err, fn, got, ref_c, atol, rtol,
                      tensor_type(shape, dtype), tensor_type(shape, "f32")))
        self.results.append((cnt, err))
        self.tol_lines.append("//   %s: atol = %s, rtol = %s (%s)"
                              % (what, lit(tol.atol, "f32"), lit(tol.rtol, "f32"), tol.why))

    def finish_checks(self):
        cnt, err = self.results[0]
        for c, e in self.results[1:]:
            c2, e2 = self.fresh("bad"), self.fresh("err")
            self.m("%s = arith.addi %s, %s : i32" % (c2, cnt, c))
            self.m("%s = arith.maximumf %s, %s : f32" % (e2, err, e))
            cnt, err = c2, e2
        zero = self.fresh("zero")
        ok = self.fresh("ok")
        self.m('vector.print str "max_abs_err = "')
        self.m("vector.print %s : f32" % err)
        self.m('vector.print str "mismatches = "')
        self.m("vector.print %s : i32" % cnt)
        self.m("%s = arith.constant 0 : i32" % zero)
        self.m("%s = arith.cmpi eq, %s, %s : i32" % (ok, cnt, zero))
        self.m("scf.if %s {" % ok)
        self.m('  vector.print str "PASS\\n"')
        self.m("} else {")
        self.m('  vector.print str "FAIL\\n"')
        self.m("}")

    def text(self):
        out = list(self.header)
        if self.tol_lines:
            out.append("// Tolerance: an element passes iff |got - ref| <= atol + rtol * |ref|.")
            out += self.tol_lines
        out.append("module {")
        out += self.funcs
        if self.main_returns_i32:
            out.append("  func.func @main() -> i32 {")
            out += self.main
            out.append("    %main_ret = arith.constant 0 : i32")
            out.append("    return %main_ret : i32")
        else:
            out.append("  func.func @main() {")
            out += self.main
            out.append("    return")
        out.append("  }")
        out.append("}")
        return "\n".join(out) + "\n"


def cast_in(em, value, shape, dtype, dyn_shape):
    """tensor.cast a static value to the (maybe dynamic) parameter type."""
    if list(dyn_shape) == list(shape):
        return value
    v = em.fresh("dyn")
    em.m("%s = tensor.cast %s : %s to %s" % (v, value, tensor_type(shape, dtype),
                                              tensor_type(dyn_shape, dtype)))
    return v


def cast_out(em, value, shape, dtype, dyn_shape):
    if list(dyn_shape) == list(shape):
        return value
    v = em.fresh("st")
    em.m("%s = tensor.cast %s : %s to %s" % (v, value, tensor_type(dyn_shape, dtype),
                                              tensor_type(shape, dtype)))
    return v


def eps_attr(eps):
    return IR.attr_dict(eps).strip()


# ---------------------------------------------------------------------------
# Input generation
# ---------------------------------------------------------------------------


def gen_inputs(rng, count, shape, dtype, scale):
    """`count` random tensors rounded to short decimals (short literals) and then
    to `dtype`, so the reference sees exactly what MLIR parses."""
    digits = 4 - int(np.round(np.log10(scale)))  # ~4 significant digits
    return [round_to(dtype, np.round(scale * rng.standard_normal(shape), digits))
            for _ in range(count)]


def gen_query(args, rng, d, dtype):
    if args.query == "zero":
        return np.zeros(d)
    q = args.scale_q * rng.standard_normal(d)
    # Keep every component away from 0 so that the weights are not uniform.
    q = np.where(np.abs(q) < 0.1 * args.scale_q, 0.1 * args.scale_q * np.sign(q + 1e-30), q)
    return round_to(dtype, np.round(q, 4))


# Phase 1 of the two-phase form stores ô in the element type before the
# merge reads it: one more rounding (2 ulp margin) of a convex combination of
# the sources, relative to max|V|.
TWO_PHASE_EXTRA_ATOL = {"f32": 0.0, "f16": 2.0 ** -10, "bf16": 2.0 ** -8}


def site_tol(args, dtype, sources, exact=False, extra_atol=0.0, extra_why=""):
    """Tolerance of a site-like result: atol is relative to max|V| (the result
    is a convex combination of the sources), rtol to the result."""
    if exact:
        return Tol(0.0, 0.0, "exact: one source is the identity")
    # max|V| over the elements there are (none with zero token rows).
    scale = max((float(np.abs(v).max()) for v in sources if np.size(v)),
                default=0.0)
    atol, rtol = ATOL[dtype] + extra_atol, RTOL[dtype]
    why = "%s%s; atol is %g x max|V| = %g" % (WHY[dtype], extra_why, atol, scale)
    if args.atol is not None:
        atol, why = args.atol, why + ", atol from --atol"
    if args.rtol is not None:
        rtol, why = args.rtol, why + ", rtol from --rtol"
    return Tol(atol * scale, rtol, why)


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


NORM_EPS = 1e-5


def check_norm(em, nv, shape, dt, D, gain, ref, tol, what="rms_norm(h) vs reference"):
    """Checks n = rms_norm(h, gain) against rms_norm of the reference h
    rounded to dt, with h's tolerance `tol` propagated per element."""
    # n from the reference h as the kernel stores it (rounded to dt).
    hr = round_to(dt, ref)
    n_ref = rms_norm(hr, gain, NORM_EPS)
    # Bound on the kernel's h error per element, then its effect on n.
    e = (tol.atol + (tol.elem if tol.elem is not None else 0.0)
         + tol.rtol * np.abs(ref) + np.abs(hr - ref))
    rho = inv_rms(hr, NORM_EPS)[..., None]
    rel_rho = ((np.abs(hr) * e).sum(axis=-1, keepdims=True)
               / ((hr * hr).sum(axis=-1, keepdims=True) + D * NORM_EPS))
    elem = e * rho * np.abs(np.asarray(gain, np.float64)) + np.abs(n_ref) * rel_rho
    scale = float(np.abs(n_ref).max(initial=0.0))
    ntol = Tol(ATOL[dt] * scale, RTOL[dt],
               "%s; plus per element the propagated error of h (max %g)"
               % (WHY[dt], float(elem.max(initial=0.0))), elem=elem)
    em.check(nv, shape, dt, n_ref, ntol, what)


def emit_site_then_norm(args, em, rng, body, q, q_t, V, ref, eps):
    """The site followed by the next sublayer's PreNorm, n = rms_norm(h, γ')
    (the decode tail): checks h and n against float64 references; n's is
    rms_norm of the reference h rounded to the element type, with the
    propagated tolerance of h (per element: δn ≤ δh·ρ·|γ'| + |n|·δρ/ρ)."""
    dt, qdt = args.dtype, args.query_dtype or args.dtype
    D, rows = args.hidden, parse_rows(args.rows)
    shape = rows + [D]
    dyn = ([None] * len(rows) if args.dynamic_rows else rows) + [D]
    src_t = tensor_type(dyn, dt)
    g_t = tensor_type([D], qdt)
    n = len(V)
    gain = round_to(qdt, np.round(1.0 + 0.25 * rng.standard_normal(D), 4))
    results = [src_t] if args.norm_only else [src_t, src_t]
    body[1] = body[1].replace(") -> %s {" % src_t,
                              ", %%gn: %s) -> (%s) {" % (g_t, ", ".join(results)))
    # --outs: the norm gets a destination too (a tensor.empty, or inplace %h,
    # which is also returned: bufferization writes a copy).
    norm_outs = None
    if args.outs == "empty":
        body += empty_like("ninit", dyn, dt, "%h", src_t, lambda i: i)
        norm_outs = [("%ninit", src_t)]
    elif args.outs == "inplace":
        norm_outs = [("%h", src_t)]
    body += ["    " + IR.rms_norm("%n", "%h", "%gn", NORM_EPS, src_t, g_t, outs=norm_outs),
             ("    return %%n : %s" % src_t) if args.norm_only else
             ("    return %%h, %%n : %s, %s" % (src_t, src_t)), "  }"]
    em.funcs.append("\n".join(body))
    qc = cast_in(em, em.constant(q, qdt, "q"), [D], qdt,
                 [None if args.dynamic_query else D])
    vs = [cast_in(em, em.constant(v, dt, "v"), shape, dt, dyn) for v in V]
    gc = em.constant(gain, qdt, "gn")
    r = em.fresh("r")
    k = len(results)
    em.m("%s:%d = func.call @site(%s, %s, %s) : (%s, %s, %s) -> (%s)"
         % (r, k, qc, ", ".join(vs), gc, q_t, ", ".join([src_t] * n), g_t,
            ", ".join(results)))
    h = None if args.norm_only else cast_out(em, r + "#0", shape, dt, dyn)
    nv = cast_out(em, r + "#%d" % (k - 1), shape, dt, dyn)
    tol = site_tol(args, dt, V, exact=(n == 1))
    if n > 1 and args.atol is None:
        tol = tol.with_conditioning(logit_conditioning(V, q, eps))
    if h is not None:
        em.check(h, shape, dt, ref, tol, "depth_attn vs reference")
    check_norm(em, nv, shape, dt, D, gain, ref, tol)


def emit_site(args, em, rng, unfused=False):
    dt, qdt = args.dtype, args.query_dtype or args.dtype
    D, rows = args.hidden, parse_rows(args.rows)
    shape = rows + [D]
    dyn = ([None] * len(rows) if args.dynamic_rows else rows) + [D]
    n = args.sources
    eps = float(np.float32(args.eps))
    V = gen_inputs(rng, n, shape, dt, args.scale_v)
    src_t = tensor_type(dyn, dt)
    names = ["%%v%d" % j for j in range(n)]
    params = ", ".join("%s: %s" % (v, src_t) for v in names)

    if not unfused:
        q_t = tensor_type([None if args.dynamic_query else D], qdt)
        q = gen_query(args, rng, D, qdt)
        ref = site(V, q, eps)
        if n == 1:
            assert np.array_equal(ref, V[0])
        if args.query == "zero":
            assert np.allclose(ref, sum(V) / n, rtol=1e-12, atol=1e-12)
        if args.round_ref:
            # The value the output dtype holds (round to nearest even), for
            # bit-exact checks where the f32 result is exact (e.g. the mean
            # of two sources).
            ref = round_to(dt, ref)
        outs, pre = None, []
        if args.outs == "empty":
            pre = empty_like("init", dyn, dt, names[0], src_t, lambda i: i)
            outs = [("%init", src_t)]
        elif args.outs == "inplace":
            # The destination is the last source (read by the op, then
            # overwritten in place after bufferization).
            outs = [(names[-1], src_t)]
        body = [
            "  // Function under test: one fused AttnRes site over %d sources." % n,
            "  func.func @site(%%q: %s, %s) -> %s {" % (q_t, params, src_t)] + pre + [
            "    " + IR.depth_attn("%h", "%q", names, eps, q_t, src_t, outs=outs)]
        K = args.output_column_offset
        if args.then_norm:
            return emit_site_then_norm(args, em, rng, body, q, q_t, V, ref, eps)
        if K:
            # Computed in place into columns [K, K+D) of a wider buffer, so
            # the output rows start K elements off any alignment.
            if args.dynamic_rows:
                raise SystemExit("--output-column-offset needs static rows")
            wide_t = tensor_type(rows + [D + K], dt)
            offs = ", ".join(["0"] * len(rows) + [str(K)])
            sizes = ", ".join(str(r) for r in rows + [D])
            ones = ", ".join(["1"] * (len(rows) + 1))
            body[1] = body[1].replace(") -> %s {" % src_t, ") -> %s {" % wide_t)
            body += [
                "    %%wide = tensor.empty() : %s" % wide_t,
                "    %%ins = tensor.insert_slice %%h into %%wide[%s] [%s] [%s] : %s into %s"
                % (offs, sizes, ones, src_t, wide_t),
                "    return %%ins : %s" % wide_t]
        else:
            body.append("    return %%h : %s" % src_t)
        em.funcs.append("\n".join(body + ["  }"]))
        qc = cast_in(em, em.constant(q, qdt, "q"), [D], qdt,
                     [None if args.dynamic_query else D])
        vs = [cast_in(em, em.constant(v, dt, "v"), shape, dt, dyn) for v in V]
        h = em.fresh("h")
        if K:
            em.m("%s = func.call @site(%s, %s) : (%s, %s) -> %s"
                 % (h, qc, ", ".join(vs), q_t, ", ".join([src_t] * n), wide_t))
            h2 = em.fresh("h")
            em.m("%s = tensor.extract_slice %s[%s] [%s] [%s] : %s to %s"
                 % (h2, h, offs, sizes, ones, wide_t, src_t))
            h = h2
        else:
            em.m("%s = func.call @site(%s, %s) : (%s, %s) -> %s"
                 % (h, qc, ", ".join(vs), q_t, ", ".join([src_t] * n), src_t))
        h = cast_out(em, h, shape, dt, dyn)
        tol = site_tol(args, dt, V, exact=(n == 1))
        if n > 1 and args.atol is None:
            tol = tol.with_conditioning(logit_conditioning(V, q, eps))
        em.check(h, shape, dt, ref, tol, "depth_attn vs reference")
        return

    # Unfused chain: rms_norm -> depth_logits -> depth_softmax -> depth_combine.
    gamma = round_to(qdt, np.round(1.0 + 0.25 * rng.standard_normal(D), 4))
    w = gen_query(args, rng, D, qdt)
    q32 = round_to("f32", gamma * w)  # q = γ ⊙ w folded into one f32 vector
    ref_fused = site(V, q32, eps)
    if args.chain_ref == "f32":
        # The chain as attnres-fuse makes it (key-rounding=f32): keys in f32.
        ref_unfused = ref_fused
    else:
        ref_unfused = unfused_site(V, w, gamma, eps,
                                   key_round=lambda k: round_to(dt, round_to("f32", k)))
    lg_t = tensor_type([n] + dyn[:-1], "f32")
    g_t, w_t = tensor_type([D], qdt), tensor_type([D], qdt)
    lines = [
        "  // Function under test: the unfused site (k_j = rms_norm(V_j, gamma);",
        "  // s = depth_logits(w, k); a = depth_softmax(s); h = depth_combine(a, V))",
        "  // and the fused site with q = gamma * w (f32).",
        "  func.func @unfused(%%gamma: %s, %%w: %s, %%q: %s, %s) -> (%s, %s) {"
        % (g_t, w_t, tensor_type([D], "f32"), params, src_t, src_t),
    ]
    # --outs: every step gets a destination: tensor.empty's, or (inplace)
    # a tensor it reads where the types allow (the norm's input is read
    # again by the combine, the softmax writes over its logits, the combine
    # over its last value); the logits always get a tensor.empty.
    outs = {"k": [], "s": None, "a": None, "h": None}
    if args.outs != "none":
        for j, v in enumerate(names):
            if args.outs == "inplace":
                outs["k"].append([(v, src_t)])
                continue
            lines += empty_like("k%d_init" % j, dyn, dt, v, src_t, lambda i: i)
            outs["k"].append([("%%k%d_init" % j, src_t)])
        lines += empty_like("s_init", [n] + dyn[:-1], "f32", names[0], src_t,
                            lambda i: i - 1)
        outs["s"] = [("%s_init", lg_t)]
        if args.outs == "inplace":
            outs["a"] = [("%s", lg_t)]
            outs["h"] = [(names[-1], src_t)]
        else:
            lines += empty_like("a_init", [n] + dyn[:-1], "f32", names[0], src_t,
                                lambda i: i - 1)
            lines += empty_like("h_init", dyn, dt, names[0], src_t, lambda i: i)
            outs["a"] = [("%a_init", lg_t)]
            outs["h"] = [("%h_init", src_t)]
    keys = []
    for j, v in enumerate(names):
        lines.append("    " + IR.rms_norm("%%k%d" % j, v, "%gamma", eps, src_t, g_t,
                                        outs=outs["k"][j] if outs["k"] else None))
        keys.append("%%k%d" % j)
    lines += [
        "    " + IR.depth_logits("%s", "%w", keys, w_t, src_t, lg_t, outs=outs["s"]),
        "    " + IR.depth_softmax("%a", "%s", lg_t, outs=outs["a"]),
        "    " + IR.depth_combine("%h", "%a", names, lg_t, src_t, outs=outs["h"]),
        "    " + IR.depth_attn("%f", "%q", names, eps, tensor_type([D], "f32"), src_t),
        "    return %%h, %%f : %s, %s" % (src_t, src_t),
        "  }",
    ]
    em.funcs.append("\n".join(lines))
    gc = em.constant(gamma, qdt, "gamma")
    wc = em.constant(w, qdt, "w")
    qc = em.constant(q32, "f32", "q")
    vs = [cast_in(em, em.constant(v, dt, "v"), shape, dt, dyn) for v in V]
    h = em.fresh("r")
    em.m("%s:2 = func.call @unfused(%s, %s, %s, %s) : (%s, %s, %s, %s) -> (%s, %s)"
         % (h, gc, wc, qc, ", ".join(vs), g_t, w_t, tensor_type([D], "f32"),
            ", ".join([src_t] * n), src_t, src_t))
    hu = cast_out(em, h + "#0", shape, dt, dyn)
    hf = cast_out(em, h + "#1", shape, dt, dyn)
    # Fused (the f32-key reference), the chain is a second depth_attn over
    # the same sources as %f, and attnres-two-phase may batch the two: phase 1
    # stores ô in the element type before the merge, one more rounding (as
    # in the merge case; docs/pipelines.md).
    extra = (TWO_PHASE_EXTRA_ATOL[dt]
             if args.chain_ref == "f32" and n > 1 else 0.0)
    tol = site_tol(args, dt, V, extra_atol=extra,
                   extra_why=" plus the rounding of a two-phase output" if extra else "")
    if args.atol is None:
        tol = tol.with_conditioning(logit_conditioning(V, q32, eps))
    em.check(hu, shape, dt, ref_unfused, tol, "unfused chain vs unfused reference")
    em.check(hf, shape, dt, ref_fused, tol, "fused depth_attn vs reference")
    if dt == "f32":
        # In f32 the unfused chain must equal the fused site (rounding the
        # keys to f32 is far below the tolerance): compare the two results
        # with each other in IR.
        em.check(hu, shape, dt, hf, tol, "unfused chain vs fused depth_attn (in IR)")


def emit_stats(args, em, rng, merge=False):
    dt, qdt = args.dtype, args.query_dtype or args.dtype
    D, rows = args.hidden, parse_rows(args.rows)
    shape = rows + [D]
    dyn = ([None] * len(rows) if args.dynamic_rows else rows) + [D]
    n, S = args.sources, args.queries
    eps = float(np.float32(args.eps))
    V = gen_inputs(rng, n, shape, dt, args.scale_v)
    Q = np.array([gen_query(args, rng, D, qdt) for _ in range(S)],
                 np.float64).reshape(S, D)
    o_ref, lse_ref = depth_attn_stats(Q, V, eps)
    src_t = tensor_type(dyn, dt)
    Q_t = tensor_type([S, D], qdt)
    o_t = tensor_type([S] + dyn, dt)
    lse_t = tensor_type([S] + dyn[:-1], "f32")
    names = ["%%v%d" % j for j in range(n)]
    params = ", ".join("%s: %s" % (v, src_t) for v in names)
    outs, pre = None, []
    if args.outs != "none":
        pre = (empty_like("oinit", [S] + dyn, dt, names[0], src_t, lambda i: i - 1) +
               empty_like("linit", [S] + dyn[:-1], "f32", names[0], src_t, lambda i: i - 1))
        outs = [("%oinit", o_t), ("%linit", lse_t)]
    stats = "\n".join(pre + [
        "    " + IR.depth_attn_stats(["%o", "%lse"], "%Q", names, eps, Q_t, src_t, o_t, lse_t,
                                     outs=outs)])
    Qc = em.constant(Q, qdt, "Q")
    vs = [cast_in(em, em.constant(v, dt, "v"), shape, dt, dyn) for v in V]
    tol = site_tol(args, dt, V)
    if not merge:
        em.funcs.append("\n".join([
            "  // Function under test: two-phase phase 1 for %d queries over %d sources." % (S, n),
            "  func.func @stats(%%Q: %s, %s) -> (%s, %s) {" % (Q_t, params, o_t, lse_t),
            stats,
            "    return %%o, %%lse : %s, %s" % (o_t, lse_t),
            "  }"]))
        r = em.fresh("r")
        em.m("%s:2 = func.call @stats(%s, %s) : (%s, %s) -> (%s, %s)"
             % (r, Qc, ", ".join(vs), Q_t, ", ".join([src_t] * n), o_t, lse_t))
        o = cast_out(em, r + "#0", [S] + shape, dt, [S] + dyn)
        lse = cast_out(em, r + "#1", [S] + rows, "f32", [S] + dyn[:-1])
        o_tol = tol
        if args.atol is None:
            o_tol = tol.with_conditioning(
                np.stack([logit_conditioning(V, Q[s], eps) for s in range(S)])
                if S else np.zeros([0]))
        em.check(o, [S] + shape, dt, o_ref, o_tol, "stats output vs reference")
        # LSE is f32 and O(max|s|): f32 logits carry ~|s|*1e-7 error; it
        # moves by at most the largest logit error of its row.
        lse_scale = max(1.0, float(np.abs(lse_ref).max(initial=0.0)))
        lse_tol = Tol(ATOL["f32"] * lse_scale, RTOL["f32"],
                      "f32 log-sum-exp, atol x max|lse| = %g" % lse_scale)
        if S and args.atol is None:
            lse_tol = lse_tol.with_conditioning(np.stack(
                [f32_logit_error(V, Q[s], eps).max(axis=0) for s in range(S)]))
        em.check(lse, [S] + rows, "f32", lse_ref, lse_tol, "stats lse vs reference")
        return

    # Merge: phase 1 over V, then merge u per query; equals the naive site
    # over [V_0..V_{n-1}, u] (math §4).
    U = gen_inputs(rng, 1, shape, dt, args.scale_v)[0]
    k = len(dyn) - 1
    # --then-norm: each merge is followed by rms_norm(h, gamma) (returned
    # after h, or alone with --norm-only).
    per_query = 1 if not args.then_norm else (1 if args.norm_only else 2)
    g_t = tensor_type([D], qdt)
    if args.then_norm:
        gain = round_to(qdt, np.round(1.0 + 0.25 * rng.standard_normal(D), 4))
    lines = [
        "  // Function under test: phase 1 over %d sources, then phase 2 merges one" % n,
        "  // more source u for each of the %d queries." % S,
        "  func.func @merge(%%Q: %s, %s, %%u: %s%s) -> (%s) {"
        % (Q_t, params, src_t, (", %%gn: %s" % g_t) if args.then_norm else "",
           ", ".join([src_t] * (S * per_query))),
        stats,
    ]
    sizes = []
    for i, d in enumerate(dyn[:-1]):
        if d is None:
            lines.append("    %%i%d = arith.constant %d : index" % (i, i))
            lines.append("    %%t%d = tensor.dim %%u, %%i%d : %s" % (i, i, src_t))
            sizes.append("%%t%d" % i)
        else:
            sizes.append(str(d))
    rets = []
    for s in range(S):
        zeros = ", ".join(["0"] * (k + 1))
        ones = ", ".join(["1"] * (k + 2))
        lines += [
            "    %%o%d = tensor.extract_slice %%o[%d, %s] [%s] [%s] : %s to %s"
            % (s, s, zeros, ", ".join(["1"] + sizes + [str(D)]), ones, o_t, src_t),
            "    %%l%d = tensor.extract_slice %%lse[%d%s] [%s] [%s] : %s to %s"
            % (s, s, "".join(", 0" for _ in range(k)), ", ".join(["1"] + sizes),
               ", ".join(["1"] * (k + 1)), lse_t, tensor_type(dyn[:-1], "f32")),
            "    %%q%d = tensor.extract_slice %%Q[%d, 0] [1, %d] [1, 1] : %s to %s"
            % (s, s, D, Q_t, tensor_type([D], qdt)),
        ]
        outs = None
        if args.outs == "empty":
            lines += empty_like("hinit%d" % s, dyn, dt, "%u", src_t, lambda i: i)
            outs = [("%%hinit%d" % s, src_t)]
        elif args.outs == "inplace":
            # The destination is the phase-1 output row the op also reads.
            outs = [("%%o%d" % s, src_t)]
        lines.append("    " + IR.depth_attn_merge(
            "%%h%d" % s, "%%o%d" % s, "%%l%d" % s, "%%q%d" % s, "%u", eps, src_t,
            tensor_type(dyn[:-1], "f32"), tensor_type([D], qdt), src_t, outs=outs))
        if args.then_norm:
            # The next sublayer's PreNorm of h (gain %gn, an argument).
            lines.append("    " + IR.rms_norm("%%n%d" % s, "%%h%d" % s, "%gn", NORM_EPS,
                                              src_t, g_t))
            if not args.norm_only:
                rets.append("%%h%d" % s)
            rets.append("%%n%d" % s)
        else:
            rets.append("%%h%d" % s)
    lines += ["    return %s : %s" % (", ".join(rets), ", ".join([src_t] * len(rets))), "  }"]
    em.funcs.append("\n".join(lines))
    uc = cast_in(em, em.constant(U, dt, "u"), shape, dt, dyn)
    r = em.fresh("r")
    gn_arg, gn_t = "", ""
    if args.then_norm:
        gn_arg = ", " + em.constant(gain, qdt, "gn")
        gn_t = ", " + g_t
    em.m("%s:%d = func.call @merge(%s, %s, %s%s) : (%s, %s, %s%s) -> (%s)"
         % (r, S * per_query, Qc, ", ".join(vs), uc, gn_arg, Q_t,
            ", ".join([src_t] * n), src_t, gn_t,
            ", ".join([src_t] * (S * per_query))))
    # Phase 1 stores ô in the element type before the merge reads it: one
    # more rounding (2 ulp margin) of a convex combination of the sources.
    extra = TWO_PHASE_EXTRA_ATOL[dt]
    tol = site_tol(args, dt, V + [U], extra_atol=extra,
                   extra_why=" plus the rounding of the stored phase-1 output" if extra else "")
    for s in range(S):
        ref = site(V + [U], Q[s], eps)  # naive per-site computation
        assert np.allclose(ref, depth_attn_merge(o_ref[s], lse_ref[s], Q[s], U, eps),
                           rtol=1e-12, atol=1e-12)
        q_tol = tol
        if args.atol is None:
            q_tol = tol.with_conditioning(logit_conditioning(V + [U], Q[s], eps))
        if per_query == 1 and not args.then_norm or per_query == 2:
            h = cast_out(em, "%s#%d" % (r, s * per_query), shape, dt, dyn)
            em.check(h, shape, dt, ref, q_tol,
                     "merge(query %d) vs naive site over n+1 sources" % s)
        if args.then_norm:
            nv = cast_out(em, "%s#%d" % (r, s * per_query + per_query - 1), shape, dt, dyn)
            check_norm(em, nv, shape, dt, D, gain, ref, q_tol,
                       "rms_norm(merge(query %d)) vs reference" % s)


# ---------------------------------------------------------------------------
# Models (f32)
# ---------------------------------------------------------------------------


def model_params(seed, L, D, M):
    """Deterministic parameters of the test models from the seed, in a fixed
    order: per sublayer W_l, g_l, q_l; then q_out; then the embedding."""
    rng = np.random.default_rng(seed)
    r = lambda x: round_to("f32", np.round(x, 4))
    p = {"W": [], "g": [], "q": []}
    for _ in range(L):
        p["W"].append(r(0.5 / np.sqrt(D) * rng.standard_normal((D, D))))
        p["g"].append(r(1.0 + 0.25 * rng.standard_normal(D)))
        q = rng.standard_normal(D)
        p["q"].append(r(np.where(np.abs(q) < 0.1, 0.1 * np.sign(q + 1e-30), q)))
    q = rng.standard_normal(D)
    p["q_out"] = r(np.where(np.abs(q) < 0.1, 0.1 * np.sign(q + 1e-30), q))
    emb = r(rng.standard_normal((M, D)))
    return p, emb


MODEL_SITE_EPS = 1e-6
MODEL_NORM_EPS = 1e-5
# f32 model: rounding errors of ~1e-7 pass through L sublayers (tanh, matmul,
# RMSNorm, softmax); math §4 expects ~1e-5 end to end over 12 sublayers.
MODEL_TOL = Tol(5e-5, 5e-5, "f32 end to end through the sublayers; math §4 expects ~1e-5, "
                "measured 1e-6 to 6e-6")


def model_reference(args):
    L, D, M = args.layers, args.hidden, args.rows_model
    S = 1 if args.case == "full" else args.block_size
    p, emb = model_params(args.seed, L, D, M)
    y = block_attnres(emb, p, S, float(np.float32(MODEL_SITE_EPS)), MODEL_NORM_EPS)
    if args.case == "full":
        y2 = full_attnres(emb, p, float(np.float32(MODEL_SITE_EPS)), MODEL_NORM_EPS)
        assert np.allclose(y, y2, rtol=1e-12, atol=1e-12)
    return y, emb, p


def emit_model(args, em):
    """The model under test, built by attnres.builders (the same builder as
    the Python API's models) with its parameters as constants; @main passes
    the embedding (or, with --embedding constant, the function has none)."""
    L, D, M = args.layers, args.hidden, args.rows_model
    full = args.case == "full"
    S = 1 if full else args.block_size
    if S < 1 or L < 1:
        sys.exit("attnres_gen.py: --layers and --block-size must be >= 1")
    if args.stages is not None and (args.stages < 1 or args.virtual_stages < 1):
        sys.exit("attnres_gen.py: --stages and --virtual-stages must be >= 1")
    if args.stages is not None and args.two_phase:
        sys.exit("attnres_gen.py: --stages does not combine with --two-phase")
    y_ref, emb, p = model_reference(args)
    # Pipeline mode (--stages): sublayers are split into C = P*V chunks of
    # consecutive sublayers (attnres.chunk on every attnres op, the output site
    # in the last chunk), block sums are running partials, and the function
    # prints and checks its own result (last chunk, i.e. the last rank).
    pipeline = args.stages is not None
    C = args.stages * args.virtual_stages if pipeline else 1
    chunk_of = model_chunks(L, C)
    incremental = args.incremental or pipeline
    x_t = tensor_type([M, D], "f32")
    fname = "full_attnres" if full else "block_attnres"
    em.funcs.append(
        "  // %s: L = %d sublayers, block size S = %d (%s), D = %d, %d tokens;\n"
        "  // sublayer f_l(h) = tanh(rms_norm(h, g_l) @ W_l), l 0-based; sources as in the\n"
        "  // state machine of math §3, written by attnres.builders.%s; W, g and the\n"
        "  // queries are constants of the function%s."
        % ("Full AttnRes" if full else "Block AttnRes", L, S,
           "blocks %s" % [list(range(s, min(s + S, L))) for s in range(0, L, S)]
           if not full else "every sublayer its own block", D, M, fname,
           ", and so is the embedding b_0" if args.embedding == "constant" else ""))
    if incremental:
        em.funcs.append("  // Block sums are running: block_summary [previous partial, f_l].")
    if pipeline:
        em.funcs.append(
            "  // Pipeline: P = %d stages, V = %d virtual stages, C = %d chunks of sublayers %s\n"
            "  // (chunk c on rank c mod P); the output site, the print and the check run\n"
            "  // in chunk %d."
            % (args.stages, args.virtual_stages, C,
               [[l for l in range(L) if chunk_of[l] == c] for c in range(C)], C - 1))
    constants = {"queries": np.stack(p["q"] + [p["q_out"]]), "W": np.stack(p["W"]),
                 "g": np.stack(p["g"])}
    const_emb = args.embedding == "constant"
    if const_emb:
        constants["emb"] = emb

    def epilogue(b, y):
        """Pipeline mode: print and check inside the function. These ops
        follow the output site, so they belong to the last chunk and run on
        its rank only. The print only reads its argument."""
        if not pipeline:
            return
        em.funcs.append('  func.func private @printMemrefF32(tensor<*xf32> '
                        '{bufferization.access = "read"})')
        saved, em.main = em.main, []
        u = em.fresh("u")
        em.m("%s = tensor.cast %s : %s to tensor<*xf32>" % (u, y, x_t))
        em.m("func.call @printMemrefF32(%s) : (tensor<*xf32>) -> ()" % u)
        if not args.example:
            em.check(y, [M, D], "f32", y_ref, MODEL_TOL, "model output vs reference")
            em.finish_checks()
            em.checks_done = True
        for line in em.main:
            b.emit(line[4:])
        em.main = saved

    build = B.full_attnres if full else B.block_attnres
    kwargs = dict(tokens=M, dtype="f32", sublayer=B.TanhRMSNormMatmul(MODEL_NORM_EPS),
                  eps=float(np.float32(MODEL_SITE_EPS)), name=fname, constants=constants,
                  two_phase=args.two_phase, chunks=chunk_of + [C - 1] if pipeline else None,
                  dynamic_query=args.dynamic_query, attributes=["llvm.emit_c_interface"],
                  epilogue=epilogue)
    if not full:
        kwargs["running_sums"] = incremental
        if args.outs != "none":
            kwargs["summary_outs"] = args.outs
    model = build(L, S, D, **kwargs) if not full else build(L, D, **kwargs)
    em.funcs.append(model.function)

    if const_emb:
        y = em.fresh("y")
        em.m("%s = func.call @%s() : () -> %s" % (y, fname, x_t))
    else:
        x = em.constant(emb, "f32", "emb")
        y = em.fresh("y")
        em.m("%s = func.call @%s(%s) : (%s) -> %s" % (y, fname, x, x_t, x_t))
    if pipeline:
        em.main_returns_i32 = True
    elif args.example:
        em.funcs.append("  func.func private @printMemrefF32(tensor<*xf32>)")
        u = em.fresh("u")
        em.m("%s = tensor.cast %s : %s to tensor<*xf32>" % (u, y, x_t))
        em.m("func.call @printMemrefF32(%s) : (tensor<*xf32>) -> ()" % u)
    else:
        em.check(y, [M, D], "f32", y_ref, MODEL_TOL, "model output vs reference")


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------


def build_parser():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", choices=["site", "unfused", "stats", "merge", "full", "block"])
    ap.add_argument("--chain-ref", choices=["chain", "f32"], default="chain",
                    help="unfused case: the chain's reference rounds the keys to the "
                         "element type as rms_norm does (chain), or keeps them in f32 as "
                         "the fused site does (f32, for attnres-fuse's default key-rounding)")
    ap.add_argument("--dtype", choices=["f32", "f16", "bf16"], default="f32")
    ap.add_argument("--query-dtype", choices=["f32", "f16", "bf16"],
                    help="element type of the query (default: --dtype)")
    ap.add_argument("--sources", type=int, default=3)
    ap.add_argument("--queries", type=int, default=4, help="stats/merge: queries S")
    ap.add_argument("--rows", default="4",
                    help="token shape: '4', '2x3', or 'none' (rank-1 sources); model cases: one number")
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--dynamic-rows", action="store_true",
                    help="the function under test takes dynamic token dims")
    ap.add_argument("--dynamic-query", action="store_true",
                    help="site and model cases: queries of dynamic length "
                         "(tensor<?xE>)")
    ap.add_argument("--round-ref", action="store_true",
                    help="site: round the reference to the output dtype "
                         "(combine with --atol 0 --rtol 0 for exact checks)")
    ap.add_argument("--then-norm", action="store_true",
                    help="site/merge: follow the site with the next sublayer's "
                         "PreNorm (rms_norm of h; the decode tail) and check both")
    ap.add_argument("--norm-only", action="store_true",
                    help="with --then-norm: return (and check) only rms_norm(h)")
    ap.add_argument("--output-column-offset", type=int, default=0,
                    help="site: compute the output in place into a wider "
                         "buffer, this many elements into each row")
    ap.add_argument("--outs", choices=["none", "empty", "inplace"], default="none",
                    help="site/stats/merge: give the ops destinations (outs): a tensor.empty, "
                         "or (inplace) a tensor the op reads: depth_attn's last source, "
                         "merge's phase-1 output (stats: tensor.empty); with --then-norm "
                         "the rms_norm too (inplace: h); block: the block_summary ops "
                         "(inplace: the last summand); unfused: every step (inplace: "
                         "the norms into their inputs, the softmax into its logits, the "
                         "combine into its last value; the logits into a tensor.empty)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eps", type=float, default=1e-6, help="site epsilon")
    ap.add_argument("--query", choices=["random", "zero"], default="random")
    ap.add_argument("--scale-v", type=float, default=1.0, help="source magnitude")
    ap.add_argument("--scale-q", type=float,
                    help="query magnitude per component (default 2/sqrt(hidden): logits "
                    "~ N(0, 4), so the weights are neither uniform nor one-hot)")
    ap.add_argument("--atol", type=float, help="override atol (before x max|V|)")
    ap.add_argument("--rtol", type=float, help="override rtol")
    ap.add_argument("--layers", type=int, default=12, help="model: sublayers L")
    ap.add_argument("--block-size", type=int, default=4, help="block: sublayers per block S")
    ap.add_argument("--two-phase", action="store_true",
                    help="block: compute sites with depth_attn_stats + depth_attn_merge")
    ap.add_argument("--stages", type=int,
                    help="model: pipeline mode with P stages (attnres.chunk annotations, "
                    "running partials, the function prints and checks its result, "
                    "@main returns i32)")
    ap.add_argument("--virtual-stages", type=int, default=1,
                    help="model: virtual stages V per rank (C = P*V chunks)")
    ap.add_argument("--embedding", choices=["argument", "constant"], default="argument",
                    help="model: the embedding b_0 is the function's argument (@main "
                    "passes a constant) or a dense constant inside the function")
    ap.add_argument("--incremental", action="store_true",
                    help="model: running block sums block_summary [partial, f_l]")
    ap.add_argument("--expected-traffic", action="store_true",
                    help="model: print the stage traffic math §5 predicts for --stages/"
                    "--virtual-stages from the state machine (not from IR)")
    ap.add_argument("--reuse-own-blocks", action="store_true",
                    help="--expected-traffic: ranks also reuse the blocks they produced")
    ap.add_argument("--example", action="store_true",
                    help="model: @main prints the output (printMemrefF32), no self-check")
    ap.add_argument("--perturb", type=float, default=0.0,
                    help="add this to every expected value (to see a test FAIL)")
    ap.add_argument("--verify-output", nargs=2, metavar=("EXAMPLE", "OUTPUT"),
                    help="check a run of an --example file against the reference")
    ap.add_argument("--self-test", action="store_true",
                    help="check the reference itself against math §1-§4")
    ap.add_argument("--check-input", metavar="FILE",
                    help="regenerate FILE (a checked-in test input, e.g. under "
                    "test/Integration/CPU/Inputs) from the arguments in its header, with "
                    "this script or attnres_grad_gen.py, and fail on any difference")
    ap.add_argument("--update-input", metavar="FILE",
                    help="rewrite FILE from the arguments in its header")
    return ap


GEN_TAG = "// attnres_gen.py args:"


def generate(args, argv):
    header = [
        "// Generated by scripts/attnres_gen.py; do not edit. Regenerate with:",
        "%s %s" % (GEN_TAG, " ".join(shlex.quote(a) for a in argv)),
        "// Reference: independent float64 numpy implementation of attnres-math.md §1-4.",
    ]
    if args.example and args.stages is not None:
        P, V = args.stages, args.virtual_stages
        header += [
            "// Example: a model split into %d pipeline chunks by attnres.chunk annotations;" % (P * V),
            "// the last chunk prints the output. Partition it over %d MPI ranks, run it and" % P,
            "// check it against the numpy reference with scripts/run-pipeline-example.sh, or:",
            "//   attnres-opt FILE --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=%d virtual-stages=%d}))'" % (P, V),
            "//   attnres-opt FILE --attnres-pipeline-partition=\"stages=%d virtual-stages=%d\" --attnres-to-llvm \\" % (P, V),
            "//     | mlir-translate-22 --mlir-to-llvmir > model.ll",
            "//   clang-22 model.ll -o model -L/usr/lib/llvm-22/lib -Wl,-rpath,/usr/lib/llvm-22/lib \\",
            "//     -lmlir_runner_utils -lmlir_c_runner_utils -lomp -lmpich",
            "//   mpirun -np %d ./model > out.txt" % P,
            "//   python3 scripts/attnres_gen.py --verify-output FILE out.txt",
        ]
    elif args.example:
        header += [
            "// Example: @main prints the model output with printMemrefF32. Run it and check",
            "// it against the numpy reference with scripts/run-example.sh, or by hand:",
            "//   attnres-opt FILE --attnres-to-llvm | mlir-runner-22 -e main \\",
            "//     -entry-point-result=void -shared-libs=<libmlir_runner_utils.so>,<libmlir_c_runner_utils.so> \\",
            "//     > out.txt",
            "//   python3 scripts/attnres_gen.py --verify-output FILE out.txt",
        ]
    em = Emitter(header)
    em.perturb = args.perturb
    if args.perturb:
        em.header.append("// NOTE: expected values perturbed by %g (--perturb): must FAIL"
                         % args.perturb)
    if args.case in ("full", "block"):
        args.rows_model = int(args.rows)
        emit_model(args, em)
    else:
        rng = np.random.default_rng(args.seed)
        if args.case in ("site", "unfused"):
            emit_site(args, em, rng, unfused=args.case == "unfused")
        else:
            emit_stats(args, em, rng, merge=args.case == "merge")
    if not args.example and not em.checks_done:
        em.finish_checks()
    return em.text()


def parse_memref(text):
    """Values and sizes of the first printMemrefF32 output in `text`."""
    mt = re.search(r"sizes = \[([0-9, ]*)\].*?data =", text, re.S)
    if not mt:
        raise ValueError("no printMemrefF32 output found")
    sizes = [int(x) for x in mt.group(1).split(",") if x.strip()]
    nums = re.findall(r"[-+]?(?:nan|inf|\d+\.?\d*(?:[eE][-+]?\d+)?)",
                      text[mt.end():], re.I)
    count = int(np.prod(sizes))
    if len(nums) < count:
        raise ValueError("printed memref has %d values, expected %d" % (len(nums), count))
    return np.array([float(x) for x in nums[:count]]).reshape(sizes)


def verify_output(example, output):
    text = open(example).read()
    line = next((l for l in text.splitlines() if l.startswith(GEN_TAG)), None)
    if line is None:
        sys.exit("verify: %s has no '%s' header line" % (example, GEN_TAG))
    argv = shlex.split(line[len(GEN_TAG):])
    args = build_parser().parse_args(argv)
    args.scale_q = args.scale_q or 2.0 / np.sqrt(args.hidden)
    if args.case not in ("full", "block") or not args.example:
        sys.exit("verify: %s is not a model example (--case full|block --example)" % example)
    regen = generate(args, argv)
    if regen != text:
        print("verify: %s differs from what `attnres_gen.py %s` generates now "
              "(stale or edited); its constants may not match the reference"
              % (example, " ".join(argv)))
        return 1
    args.rows_model = int(args.rows)
    ref, _, _ = model_reference(args)
    got = parse_memref(sys.stdin.read() if output == "-" else open(output).read())
    if got.shape != ref.shape:
        print("verify: printed shape %s, expected %s" % (got.shape, ref.shape))
        return 1
    # printMemrefF32 prints 6 significant digits (a relative error of up to
    # 5e-6), on top of the f32 model error (MODEL_TOL).
    atol, rtol = MODEL_TOL.atol, MODEL_TOL.rtol + 5e-6
    err = np.abs(got - ref)
    bad = ~(err <= atol + rtol * np.abs(ref))
    print("%-10s %14s %14s %12s" % ("element", "got", "expected", "abs err"))
    for idx in np.ndindex(ref.shape):
        print("%-10s %14.6g %14.8g %12.3g%s" % (str(list(idx)), got[idx], ref[idx],
                                                err[idx], "  <-- FAIL" if bad[idx] else ""))
    print("max abs error: %.3g (tolerance: atol %g + rtol %g * |expected|)"
          % (np.nanmax(err) if not np.isnan(err).any() else float("nan"), atol, rtol))
    print("mismatches: %d of %d" % (int(bad.sum()), bad.size))
    print("PASS" if not bad.any() else "FAIL")
    return 1 if bad.any() else 0


GRAD_TAG = "// attnres_grad_gen.py "


def regenerate(path):
    """What the generator named in FILE's header writes for the arguments
    recorded there, and FILE's text."""
    import contextlib
    import io
    text = open(path).read()
    for line in text.splitlines()[:4]:
        if line.startswith(GEN_TAG):
            argv, gen = shlex.split(line[len(GEN_TAG):]), main
            break
        if line.startswith(GRAD_TAG):
            sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
            import attnres_grad_gen
            argv, gen = shlex.split(line[len(GRAD_TAG):]), attnres_grad_gen.main
            break
    else:
        sys.exit("%s: no '%s' or '%s' header line: not a generated input"
                 % (path, GEN_TAG, GRAD_TAG.strip()))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = gen(argv)
    if rc:
        sys.exit("%s: the generator failed (exit %d) for the arguments in its header" % (path, rc))
    return out.getvalue(), text


def check_input(path, update=False):
    """A checked-in generated input must be exactly the generator's output
    for the arguments in its header (so it cannot drift from the generator
    and its reference)."""
    import difflib
    regen, text = regenerate(path)
    if regen == text:
        print("%s: reproduced by the generator" % path)
        return 0
    if update:
        with open(path, "w") as f:
            f.write(regen)
        print("%s: updated" % path)
        return 0
    diff = list(difflib.unified_diff(text.splitlines(), regen.splitlines(), path,
                                     "generated now", lineterm="", n=1))
    print("\n".join(diff[:40]))
    print("%s: differs from what the generator writes now for the arguments in its header; "
          "if the generator's change is intended: scripts/attnres_gen.py --update-input %s"
          % (path, path))
    return 1


def self_test():
    """The reference against the checks of math §1-§4 (float64)."""
    ok = True

    def expect(name, cond):
        nonlocal ok
        print("%-60s %s" % (name, "ok" if cond else "FAILED"))
        ok &= bool(cond)

    rng = np.random.default_rng(0)
    V = [rng.standard_normal((5, 8)) for _ in range(4)]
    expect("§1.1 w = 0 gives the mean", np.allclose(site(V, np.zeros(8), 1e-5), sum(V) / 4))
    expect("§1.2 n = 1 gives V_0 exactly", np.array_equal(site(V[:1], rng.standard_normal(8), 1e-5), V[0]))
    q = rng.standard_normal(8)
    V2 = [V[0] * 7.0] + V[1:]
    expect("§1.3 scaling a source keeps its logit (eps -> 0)",
           np.allclose(depth_logits(q, [rms_norm(V2[0], np.ones(8), 1e-14)]),
                       depth_logits(q, [rms_norm(V[0], np.ones(8), 1e-14)])))
    e = np.eye(4)
    h = site([e[0], e[1]], 2 * e[0], 1e-6)
    expect("§1.4 hand case h[0] = 0.982014, h[1] = 0.017986",
           abs(h[0] - 0.982014) < 1e-6 and abs(h[1] - 0.017986) < 1e-6)
    big = [1e4 * v for v in V]
    expect("§1.5 |V| ~ 1e4, |q| ~ 1e2 stays finite", np.isfinite(site(big, 1e2 * q, 1e-5)).all())
    g, w = 1 + 0.2 * rng.standard_normal(8), rng.standard_normal(8)
    expect("§1 unfused chain equals the fused site (q = γ ⊙ w)",
           np.allclose(unfused_site(V, w, g, 1e-5), site(V, g * w, 1e-5), atol=1e-13))
    Q = rng.standard_normal((3, 8))
    o, lse = depth_attn_stats(Q, V[:3], 1e-5)
    expect("§4 stats ô equals the site over the same sources",
           all(np.allclose(o[i], site(V[:3], Q[i], 1e-5), atol=1e-13) for i in range(3)))
    expect("§4 merge equals the site over n+1 sources",
           all(np.allclose(depth_attn_merge(o[i], lse[i], Q[i], V[3], 1e-5),
                           site(V, Q[i], 1e-5), atol=1e-13) for i in range(3)))
    p, emb = model_params(3, 13, 8, 5)
    full = block_attnres(emb, p, 1, 1e-6, 1e-5)
    expect("§3 block size 1 equals Full AttnRes (§2)",
           np.allclose(full, full_attnres(emb, p, 1e-6, 1e-5), atol=1e-13))
    for S in (1, 4, 5, 13):
        expect("§4 two-phase equals naive Block AttnRes, L = 13, S = %d" % S,
               np.allclose(block_attnres(emb, p, S, 1e-6, 1e-5),
                           block_attnres_two_phase(emb, p, S, 1e-6, 1e-5), atol=1e-12))
    # N = 1: a two-way softmax between the embedding and the running sum.
    one = block_attnres(emb, p, 13, 1e-6, 1e-5)
    resid = emb.copy()
    for l in range(13):
        resid = resid + sublayer(resid, p["W"][l], p["g"][l], 1e-5)
    expect("§3 N = 1 is not a plain residual", not np.allclose(one, resid))
    expect("bf16 rounding is round-to-nearest-even",
           list(round_bf16(np.array([1 + 2**-8, 1 + 3 * 2**-8, 1 + 2**-8 + 2**-20]))) ==
           [1.0, 1 + 2**-6, 1 + 2**-7])
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def main(argv):
    args = build_parser().parse_args(argv)
    if args.scale_q is None:
        args.scale_q = 2.0 / np.sqrt(args.hidden)
    if args.self_test:
        return self_test()
    if args.check_input or args.update_input:
        return check_input(args.update_input or args.check_input, update=bool(args.update_input))
    if args.verify_output:
        return verify_output(*args.verify_output)
    if not args.case:
        build_parser().error("--case is required")
    if args.case in ("full", "block") and (args.dtype != "f32" or args.dynamic_rows):
        build_parser().error("the model cases are f32 with static rows")
    if args.dynamic_query and args.case not in ("site", "full", "block"):
        build_parser().error("--dynamic-query needs --case site, full or block")
    if ((args.case == "merge" or args.two_phase)
            and 0 in parse_rows(args.rows)):
        # The generated IR slices rows of the phase-1 output at static
        # offsets, which tensor.extract_slice rejects in a dim of size 0.
        build_parser().error("--case merge and --two-phase need token rows (no 0 in --rows)")
    if args.expected_traffic:
        if args.case not in ("full", "block") or args.stages is None:
            build_parser().error("--expected-traffic needs --case full|block and --stages")
        print("attnres.stage_traffic = %s" % expected_traffic_attr(args))
        return 0
    sys.stdout.write(generate(args, argv))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
