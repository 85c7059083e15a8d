# RUN: %python %s | FileCheck %s
#
# How compiled functions hand out their results: returned arrays own their
# memory (no copy, independent of the function and module), out= computes
# into caller arrays, calls from several threads at once, and memory is not
# leaked or freed twice. Numbers are checked against the independent float64
# reference in Inputs/ref64.py: f32 rtol = atol = 1e-5 (a few ulps of f32
# statistics and sums), bf16 rtol 1e-2 (one bf16 rounding, 2^-9), atol 1e-4.

import ctypes
import gc
import os
import sys
import threading

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs"))
import ref64  # noqa: E402

import attnres  # noqa: E402

EPS = 1e-6
rng = np.random.default_rng(16)


def close(got, ref, rtol, atol):
    got = np.asarray(got, np.float64)
    return bool(np.all(np.abs(got - ref) <= atol + rtol * np.abs(ref)))


def check(what, ok):
    print("%s: %s" % (what, "PASS" if ok else "FAIL"))


def inputs(n, t, d, dtype="f32"):
    v = [rng.standard_normal((t, d)).astype(np.float32) for _ in range(n)]
    q = (rng.standard_normal(d) / np.sqrt(d)).astype(np.float32)
    if dtype == "bf16":
        bits = [attnres.f32_to_bf16(x) for x in v]
        return q, bits, [attnres.bf16_to_f32(b) for b in bits]
    return q, v, v


site32 = attnres.site(4, 64, tokens=None).compile()
site16 = attnres.site(4, 64, tokens=None, dtype="bf16").compile()
print("supports_out:", site32.supports_out, site16.supports_out)
# CHECK: supports_out: True True

# Returned results: computed in place, owned by the array (its base is the
# owner, not another array), right for 1 token and many.
for t in (1, 37):
    q, v, vf = inputs(4, t, 64)
    h = site32(q, *v)
    ref = ref64.site(vf, q, EPS)
    check("returned f32 T=%d" % t, h.shape == (t, 64) and h.dtype == np.float32 and
          h.base is not None and not isinstance(h.base, np.ndarray) and
          h.flags["C_CONTIGUOUS"] and h.flags["WRITEABLE"] and close(h, ref, 1e-5, 1e-5))
# CHECK: returned f32 T=1: PASS
# CHECK: returned f32 T=37: PASS

# out=: one array, returned as is; bf16 as uint16 bit patterns.
q, v, vf = inputs(4, 9, 64)
ref = ref64.site(vf, q, EPS)
out = np.full((9, 64), np.nan, np.float32)
check("out= f32", site32(q, *v, out=out) is out and close(out, ref, 1e-5, 1e-5))
q, b, bf = inputs(4, 9, 64, "bf16")
ref = ref64.site(bf, q, EPS)
out16 = np.zeros((9, 64), np.uint16)
r = site16(q, *b, out=(out16,))
check("out= bf16 tuple", isinstance(r, tuple) and r[0] is out16 and
      close(attnres.bf16_to_f32(out16), ref, 1e-2, 1e-4))
# The tolerance catches an error of a few bf16 ulps.
check("bf16 perturbed", close(attnres.bf16_to_f32(out16) * (1 + 4 * 2.0 ** -8), ref, 1e-2, 1e-4))
# CHECK: out= f32: PASS
# CHECK: out= bf16 tuple: PASS
# CHECK: bf16 perturbed: FAIL

# Several results, one of them the same value twice.
TWO = """
func.func @two(%q: tensor<64xf32>, %a: tensor<?x64xf32>, %b: tensor<?x64xf32>)
    -> (tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>) {
  %h = attnres.depth_attn %q, [%a, %b] {eps = 1.0e-06 : f32} : tensor<64xf32>, tensor<?x64xf32> -> tensor<?x64xf32>
  %s = attnres.block_summary [%a, %b] : tensor<?x64xf32>
  return %h, %s, %h : tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>
}
"""
two = attnres.compile(TWO, "two")
q, v, vf = inputs(2, 5, 64)
h, s, h2 = two(q, *v)
refh = ref64.site(vf, q, EPS)
check("three results", close(h, refh, 1e-5, 1e-5) and close(s, vf[0] + vf[1], 1e-6, 1e-6) and
      close(h2, refh, 1e-5, 1e-5) and not np.shares_memory(h, h2))
outs = (np.empty((5, 64), np.float32), np.empty((5, 64), np.float32), np.empty((5, 64), np.float32))
two(q, *v, out=outs)
check("three results out=", close(outs[0], refh, 1e-5, 1e-5) and
      close(outs[1], vf[0] + vf[1], 1e-6, 1e-6) and close(outs[2], refh, 1e-5, 1e-5))
# CHECK: three results: PASS
# CHECK: three results out=: PASS


def expect(error, fn):
    try:
        fn()
    except error as e:
        print("%s: %s" % (error.__name__, e))
        return
    print("no %s" % error.__name__)


q, v, vf = inputs(4, 6, 64)
expect(ValueError, lambda: site32(q, *v, out=np.empty((5, 64), np.float32)))
# CHECK: ValueError: out[0] (result #0 of @site, tensor<?x64xf32>): expected shape (6, 64) for these arguments, got (5, 64)
expect(TypeError, lambda: site32(q, *v, out=np.empty((6, 64), np.float64)))
# CHECK: TypeError: out[0] {{.*}}: expected a numpy.ndarray of float32, got float64
expect(ValueError, lambda: site32(q, *v, out=v[2]))
# CHECK: ValueError: out[0] {{.*}} overlaps argument #3 in memory; destinations must not alias the arguments
expect(ValueError, lambda: site32(q, *v, out=np.empty((64, 6), np.float32).T))
# CHECK: ValueError: out[0] {{.*}} must be C-contiguous (it is written in place)
ro = np.empty((6, 64), np.float32)
ro.flags.writeable = False
expect(ValueError, lambda: site32(q, *v, out=ro))
# CHECK: ValueError: out[0] {{.*}} is not writable
expect(ValueError, lambda: site32(q, *v, out=(np.empty((6, 64), np.float32),) * 2))
# CHECK: ValueError: @site has 1 results; out= got 2 destinations
big = np.empty((12, 64), np.float32)
expect(ValueError, lambda: two(q, v[0], v[1], out=(big[:6], big[3:9], np.empty((6, 64), np.float32))))
# CHECK: ValueError: out[1] {{.*}} overlaps out[0] in memory
expect(TypeError, lambda: site32(q, *v, outs=None))
# CHECK: TypeError: {{.*}}unexpected keyword argument 'outs'

# A result whose size is not a size of an argument: no out=, and the result
# is the buffer the compiled code allocated (still no copy).
PAD = """
func.func @pad(%x: tensor<?x4xf32>, %n: tensor<?xi8>) -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : index
  %z = arith.constant 1.0 : f32
  %rows = tensor.dim %n, %c0 : tensor<?xi8>
  %e = tensor.empty(%rows) : tensor<?x4xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
  return %f : tensor<?x4xf32>
}
"""
pad = attnres.compile(PAD, "pad")
print("pad supports_out:", pad.supports_out)
# CHECK: pad supports_out: False
r = pad(np.zeros((2, 4), np.float32), np.zeros(3, np.int8))
check("pad result", r.shape == (3, 4) and np.all(r == 1) and r.base is not None)
# CHECK: pad result: PASS
expect(ValueError, lambda: pad(np.zeros((2, 4), np.float32), np.zeros(3, np.int8),
                               out=np.empty((3, 4), np.float32)))
# CHECK: ValueError: out= is not available for @pad: dimension 0 of result #0 is not a size of an argument, so it is known only after the call

# Results outlive the function, its module and the cache.
q, v, vf = inputs(4, 8, 64)
mod = attnres.site(4, 64, tokens=None, name="alive")
f = attnres.compile(mod.ir, "alive")
keep = f(q, *v)
keep2 = pad(np.zeros((1, 4), np.float32), np.zeros(5, np.int8))
del f, mod, pad
attnres.clear_cache()
gc.collect()
_ = [np.ones((256, 1024), np.float32) for _ in range(8)]  # reuse freed memory
check("results outlive", close(keep, ref64.site(vf, q, EPS), 1e-5, 1e-5) and np.all(keep2 == 1))
# CHECK: results outlive: PASS

# Threads calling one function at once (the GIL is released during calls;
# the intermediates' arena is taken by one caller at a time).
model = attnres.block_attnres(8, 4, 64, tokens=None)
mf = model.compile()
failures = []


def worker(seed):
    r = np.random.default_rng(seed)
    for _ in range(10):
        t = int(r.integers(1, 40))
        emb = r.standard_normal((t, 64)).astype(np.float32)
        qs = (r.standard_normal((9, 64)) / 8).astype(np.float32)
        W = (r.standard_normal((8, 64, 64)) / 8).astype(np.float32)
        g = (1 + 0.1 * r.standard_normal((8, 64))).astype(np.float32)
        args = [emb, qs, W, g]
        got = mf(*args)
        ref = ref64.block_model(args[0], args[1], ref64.tanh_sublayer(args[2], args[3], 1e-5),
                                4, 1e-5)
        if not close(got, ref, 5e-5, 5e-5):
            failures.append(seed)


threads = [threading.Thread(target=worker, args=(s,)) for s in range(4)]
for th in threads:
    th.start()
for th in threads:
    th.join()
check("4 threads x 10 calls of a Block model", not failures)
# CHECK: 4 threads x 10 calls of a Block model: PASS

# No leak, no double free: glibc's own count of bytes in use (mallinfo2)
# comes back to where it was after 200 calls whose 1 MiB results die
# (a double free aborts the process). The pool keeps at most a few buffers.
libc = ctypes.CDLL("libc.so.6")


class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
                 "uordblks", "fordblks", "keepcost")]


libc.mallinfo2.restype = MallInfo2


def in_use():
    m = libc.mallinfo2()
    return m.uordblks + m.hblkhd


q, v, vf = inputs(4, 4096, 64)
for _ in range(5):
    site32(q, *v)
    pad_like = two(q, v[0], v[1])
attnres.release_result_memory()
gc.collect()
before = in_use()
for i in range(200):
    h = site32(q, *v)
    h3 = two(q, v[0], v[1])
del h, h3
gc.collect()
held = attnres.result_memory_held()
attnres.release_result_memory()
after = in_use()
print("held after 200 calls: %d MiB" % (held >> 20))
check("no leak (%+d KiB in use)" % ((after - before) >> 10), abs(after - before) < (1 << 20))
# CHECK: held after 200 calls: {{[0-9]}} MiB
# CHECK: no leak ({{.*}}): PASS
print("done")
# CHECK: done
