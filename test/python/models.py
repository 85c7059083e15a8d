# RUN: %python %s | FileCheck %s
#
# Model builders (attnres.block_attnres / full_attnres): the IR they emit
# uses the dialect's ops, parses and verifies, and compiled for the CPU it
# matches the independent float64 reference of math §2/§3 (Inputs/ref64.py).
#
# Tolerances: f32 models atol = rtol = 5e-5 (end to end through the
# sublayers; math §4 expects ~1e-5 over 12 sublayers). f16 / bf16 models
# store every hidden state (sublayer outputs, partial sums, site results) in
# the element type; the reference rounds at the same places, and the
# tolerance is a few units of the type's rounding (f16 atol 2e-3, rtol 4e-3;
# bf16 atol 2e-2, rtol 3e-2) because rounding differences of single elements
# propagate through the later sublayers.

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs"))
import ref64  # noqa: E402

import attnres  # noqa: E402

SITE_EPS = 1e-5   # the builders' default site eps
NORM_EPS = 1e-5   # the built-in sublayer's rms_norm eps


def params(rng, L, D, T, nq):
    emb = rng.standard_normal((T, D))
    queries = rng.standard_normal((nq, D)).astype(np.float32)
    W = (0.5 / np.sqrt(D) * rng.standard_normal((L, D, D))).astype(np.float32)
    g = (1.0 + 0.25 * rng.standard_normal((L, D))).astype(np.float32)
    return emb, queries, W, g


def run_block(L, S, D, T, tokens="static", output_site=True, dtype="f32", seed=0, full=False,
              **opts):
    kwargs = dict(d=D, tokens=T if tokens == "static" else None, dtype=dtype,
                  output_site=output_site, **opts)
    model = (attnres.full_attnres(L, **kwargs) if full
             else attnres.block_attnres(L, S, **kwargs))
    f = attnres.compile(model.ir, model.entry)
    rng = np.random.default_rng(seed)
    nq = L + 1 if output_site else L
    emb, queries, W, g = params(rng, L, D, T, nq)
    if dtype == "bf16":
        emb_in = ref64.bf16_bits(emb)
        emb_v = ref64.bf16_value(emb_in)
        rnd, value = ref64.round_bf16, ref64.bf16_value
    elif dtype == "f16":
        emb_in = emb.astype(np.float16)
        emb_v = emb_in.astype(np.float64)
        rnd = lambda x: np.asarray(x).astype(np.float16).astype(np.float64)
        value = lambda a: a.astype(np.float64)
    else:
        emb_in = emb.astype(np.float32)
        emb_v = emb_in.astype(np.float64)
        rnd, value = None, lambda a: a.astype(np.float64)
    out = f(emb_in, queries, W, g)
    sub = ref64.tanh_sublayer(W, g, NORM_EPS)
    if full:
        ref = ref64.full_model(emb_v, queries, sub, SITE_EPS, output_site)
    else:
        ref = ref64.block_model(emb_v, queries, sub, S, SITE_EPS, output_site, round_state=rnd)
    tol = {"f32": (5e-5, 5e-5), "f16": (2e-3, 4e-3), "bf16": (2e-2, 3e-2)}[dtype]
    name = "%s L=%d S=%d D=%d T=%d %s %s%s%s" % (
        "full" if full else "block", L, S, D, T, tokens, dtype,
        "" if output_site else " no-output-site", "".join(" " + k for k in sorted(opts)))
    if output_site:
        ok = ref64.check(name, value(out), ref, *tol)
    else:
        assert isinstance(out, tuple) and len(out) == len(ref), (len(out), len(ref))
        ok = all(ref64.check("%s source %d" % (name, i), value(o), r, *tol)
                 for i, (o, r) in enumerate(zip(out, ref)))
    assert ok
    return model, out


# The IR uses the dialect's ops; it parses and verifies on its own.
model = attnres.block_attnres(layers=4, block_size=2, d=8, tokens=3)
print(model.ir)
attnres.Module.parse(model.ir).verify()
print(repr(model))
# CHECK-LABEL: func.func @block_attnres(%emb: tensor<3x8xf32>, %queries: tensor<5x8xf32>, %W: tensor<4x8x8xf32>, %g: tensor<4x8xf32>) -> (tensor<3x8xf32>)
# CHECK: attnres.rms_norm
# CHECK: linalg.matmul
# CHECK: math.tanh
# CHECK: attnres.depth_attn {{.*}}[%emb, %f_{{[0-9]+}}]
# CHECK: attnres.block_summary
# CHECK: // output site: sources [%emb, %b_{{[0-9]+}}, %b_{{[0-9]+}}]
# CHECK: return
# CHECK: <attnres.Model @block_attnres(emb: tensor<3x8xf32>, queries: tensor<5x8xf32>, W: tensor<4x8x8xf32>, g: tensor<4x8xf32>) -> (tensor<3x8xf32>)>

run_block(12, 4, 16, 4)
# CHECK: block L=12 S=4 D=16 T=4 static f32: {{.*}} -> PASS
run_block(7, 3, 32, 9, tokens="dynamic", seed=1)          # last block partial
# CHECK: block L=7 S=3 D=32 T=9 dynamic f32: {{.*}} -> PASS
run_block(5, 8, 16, 4, seed=2)                            # one block (N = 1)
# CHECK: block L=5 S=8 D=16 T=4 static f32: {{.*}} -> PASS
run_block(6, 2, 16, 5, output_site=False, seed=3)
# CHECK: block L=6 S=2 D=16 T=5 static f32 no-output-site source 0: {{.*}} -> PASS
# CHECK: block L=6 S=2 D=16 T=5 static f32 no-output-site source 3: {{.*}} -> PASS
run_block(6, 1, 16, 4, full=True, seed=4)
# CHECK: full L=6 S=1 D=16 T=4 static f32: {{.*}} -> PASS
run_block(5, 1, 16, 4, full=True, tokens="dynamic", output_site=False, seed=5)
# CHECK: full L=5 S=1 D=16 T=4 dynamic f32 no-output-site source 5: {{.*}} -> PASS
run_block(6, 2, 32, 8, dtype="f16", seed=6)
# CHECK: block L=6 S=2 D=32 T=8 static f16: {{.*}} -> PASS
run_block(6, 2, 32, 8, dtype="bf16", tokens="dynamic", seed=7)
# CHECK: block L=6 S=2 D=32 T=8 dynamic bf16: {{.*}} -> PASS

# The builder's options (the test generator's models use them): two-phase
# (depth_attn_stats per block + depth_attn_merge), running block sums,
# queries of dynamic length; static and dynamic token counts, a last block
# that is partial, Full AttnRes two-phase. (f32 only: in f16/bf16 phase 1
# stores ô in the element type, one rounding more than ref64's model.)
run_block(7, 3, 16, 5, seed=10, two_phase=True)
# CHECK: block L=7 S=3 D=16 T=5 static f32 two_phase: {{.*}} -> PASS
run_block(8, 4, 16, 6, tokens="dynamic", seed=11, two_phase=True)
# CHECK: block L=8 S=4 D=16 T=6 dynamic f32 two_phase: {{.*}} -> PASS
run_block(5, 1, 16, 4, full=True, seed=12, two_phase=True)
# CHECK: full L=5 S=1 D=16 T=4 static f32 two_phase: {{.*}} -> PASS
run_block(7, 3, 16, 5, seed=13, running_sums=True, dynamic_query=True)
# CHECK: block L=7 S=3 D=16 T=5 static f32 dynamic_query running_sums: {{.*}} -> PASS
# Pipeline chunks annotate every attnres op (the output site in the last chunk).
chunked = attnres.block_attnres(4, 2, 8, tokens=3, chunks=[0, 0, 1, 1, 1])
print(chunked.ir)
# CHECK: // Block AttnRes: 4 sublayers, block size 2, d = 8, f32
# CHECK: attnres.rms_norm {{.*}} {attnres.chunk = 0 : i64, eps
# CHECK: attnres.block_summary {{.*}} {attnres.chunk = 1 : i64} :
# CHECK: output site
# CHECK-NEXT: tensor.extract_slice %queries[4, 0]
# CHECK-NEXT: attnres.depth_attn {{.*}} {attnres.chunk = 1 : i64, eps

# Parameters as constants: the function takes the embedding only; same
# numbers as with the parameters as arguments.
rng = np.random.default_rng(15)
emb, queries, W, g = params(rng, 5, 16, 4, 6)
emb = emb.astype(np.float32)
with_args = attnres.block_attnres(5, 2, 16, tokens=4)
baked = attnres.block_attnres(5, 2, 16, tokens=4, constants={"queries": queries, "W": W, "g": g},
                              attributes=["llvm.emit_c_interface"])
print(baked.signature())
# CHECK: @block_attnres(emb: tensor<4x16xf32>) -> (tensor<4x16xf32>)
assert "llvm.emit_c_interface" in baked.function and baked.function in baked.ir
y_baked = baked.compile()(emb)
y_args = with_args.compile()(emb, queries, W, g)
assert ref64.check("constants vs arguments", y_baked, y_args, 1e-6, 1e-6)
# CHECK: constants vs arguments: {{.*}} -> PASS
for what, call in [
    ("constant shape", lambda: attnres.block_attnres(5, 2, 16, tokens=4,
                                                     constants={"W": W[:2]})),
    ("chunks", lambda: attnres.block_attnres(4, 2, 8, chunks=[0, 1])),
    ("two_phase", lambda: attnres.block_attnres(4, 2, 8, two_phase=True, output_site=False)),
]:
    try:
        call()
        raise AssertionError("expected an error for " + what)
    except ValueError as e:
        print("ValueError: %s" % e)
# CHECK: ValueError: constant 'W' has shape [2, 16, 16], the function needs tensor<5x16x16xf32>
# CHECK: ValueError: chunks must list 5 integers >= 0 (one per sublayer and the output site), got [0, 1]
# CHECK: ValueError: two_phase needs the output site

# Block size 1 is Full AttnRes: both builders give the same numbers.
_, y_block = run_block(5, 1, 16, 4, seed=8)
_, y_full = run_block(5, 1, 16, 4, full=True, seed=8)
assert np.allclose(y_block, y_full, rtol=1e-6, atol=1e-6)

# The compiled model runs with two-phase scheduling forced and with the plain
# linalg lowering, and agrees with the default schedule.
m = attnres.block_attnres(8, 4, 16, tokens=6)
rng = np.random.default_rng(9)
emb, queries, W, g = params(rng, 8, 16, 6, 9)
args = (emb.astype(np.float32), queries, W, g)
base = m.compile()(*args)
for options in ["two-phase=force", "two-phase=off fuse=false", "fast-kernels=false parallel=false"]:
    other = m.compile(options=options)(*args)
    assert ref64.check("options '%s'" % options, other, base, 5e-5, 5e-5)
# CHECK: options 'two-phase=force': {{.*}} -> PASS
# CHECK: options 'fast-kernels=false parallel=false': {{.*}} -> PASS


# A user-supplied sublayer: f_l(h) = sin(h) * s_l with a per-sublayer scale
# vector parameter; emitted with the IRBuilder.
def sin_scale(b, l, h):
    s = b.layer(b.param("s", [b.layers, b.d], "f32"), l)
    sin = b.elementwise(h, "math.sin", in_dtype=b.dtype, out_dtype="f32")
    init = b.empty()
    out, x, y, o = b.fresh("f"), b.fresh("x"), b.fresh("y"), b.fresh("o")
    b.emit("""%s = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%s, %s : %s, tensor<%dxf32>) outs(%s : %s) {
^bb0(%s: f32, %s: f32, %s: f32):
  %%m_%d = arith.mulf %s, %s : f32
  linalg.yield %%m_%d : f32
} -> %s""" % (out, sin, s, b.type_of("f32"), b.d, init, b.hidden_type, x, y, o, l, x, y, l,
              b.hidden_type))
    return out


custom = attnres.block_attnres(5, 2, 8, tokens=3, sublayer=sin_scale)
print(repr(custom))
# CHECK: <attnres.Model @block_attnres(emb: tensor<3x8xf32>, queries: tensor<6x8xf32>, s: tensor<5x8xf32>) -> (tensor<3x8xf32>)>
rng = np.random.default_rng(10)
emb = rng.standard_normal((3, 8)).astype(np.float32)
queries = rng.standard_normal((6, 8)).astype(np.float32)
scales = rng.standard_normal((5, 8)).astype(np.float32)
y = custom.compile()(emb, queries, scales)
ref = ref64.block_model(emb, queries, lambda l, h: np.sin(h) * scales[l], 2, SITE_EPS)
assert ref64.check("custom sublayer", y, ref, 5e-5, 5e-5)
# CHECK: custom sublayer: {{.*}} -> PASS

# Bad builder arguments raise ValueError / TypeError; IR a callback breaks
# raises attnres.Error at compile time.
for what, call in [
    ("layers", lambda: attnres.block_attnres(0, 2, 8)),
    ("block_size", lambda: attnres.block_attnres(4, 0, 8)),
    ("dtype", lambda: attnres.full_attnres(4, 8, dtype="f64")),
    ("tokens", lambda: attnres.full_attnres(4, 8, tokens=-1)),
    ("eps", lambda: attnres.full_attnres(4, 8, eps=float("nan"))),
    ("sublayer result", lambda: attnres.full_attnres(2, 8, sublayer=lambda b, l, h: 3)),
    ("sublayer", lambda: attnres.full_attnres(2, 8, sublayer="tanh")),
    ("param name", lambda: attnres.full_attnres(2, 8, sublayer=lambda b, l, h: b.param("emb", [2], "f32"))),
]:
    try:
        call()
        raise AssertionError("expected an error for " + what)
    except (ValueError, TypeError) as e:
        print("%s: %s" % (type(e).__name__, e))
# CHECK: ValueError: layers must be an integer >= 1, got 0
# CHECK: ValueError: block_size must be an integer >= 1, got 0
# CHECK: ValueError: dtype must be one of f32, f16, bf16, got 'f64'
# CHECK: ValueError: tokens must be None (dynamic) or an integer >= 0, got -1
# CHECK: ValueError: eps must be a finite number >= 0, got nan
# CHECK: TypeError: sublayer(b, l, h) must return the SSA name (e.g. '%f') of f_l(h); sublayer 0 returned 3
# CHECK: TypeError: sublayer must be callable as sublayer(b, l, h)
# CHECK: ValueError: invalid parameter name 'emb'

broken = attnres.full_attnres(2, 8, tokens=4, sublayer=lambda b, l, h: b.elementwise(h, "math.nope"))
try:
    broken.compile()
    raise AssertionError("expected attnres.Error")
except attnres.Error as e:
    print("broken sublayer:", str(e).splitlines()[0])
# CHECK: broken sublayer: <input>:{{[0-9]+}}:{{[0-9]+}}: error: {{.*}}math.nope
print("done")
# CHECK: done
