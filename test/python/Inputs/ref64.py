"""Test-side float64 reference for the Python tests: attnres.reference
(attnres-math.md §1 site, §2 Full, §3 Block; the project's one numpy
reference), loaded from the source tree as a plain numpy module, not through
the built package: it is numpy written from the math and shares no code with
the compiler or the bindings under test. Plus the bf16 rounding helpers and
the element check the tests use.
"""

import importlib.util
import os

import numpy as np

_spec = importlib.util.spec_from_file_location(
    "_attnres_reference",
    os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, os.pardir,
                 "python-bindings", "attnres", "reference.py"))
R = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(R)


def site(sources, q, eps):
    """h = Σ_j softmax_j(ρ_j · (q·V_j)) V_j, per token row."""
    return R.site(sources, q, eps)


def rms_norm(x, gain, eps):
    return R.rms_norm(x, gain, eps)


def tanh_sublayer(W, g, eps):
    """f_l(h) = tanh(rms_norm(h, g_l) @ W_l)."""
    return R.tanh_rms_norm_matmul(W, g, eps)


def block_model(emb, queries, f, S, eps, output_site=True, round_state=None):
    """Math §3 with block size S (S=1: Full AttnRes). queries[l] for
    sublayer l, queries[L] for the output site. Without the output site:
    the list [b_0, ..., b_{N-1}, partial]. `round_state` models storing the
    hidden states in a narrow element type (applied to sublayer outputs,
    partial sums and site results)."""
    return R.block_attnres(emb, queries, f, S, eps, output_site, round_state)


def full_model(emb, queries, f, eps, output_site=True):
    """Math §2: sublayer l sees [v_0 = emb, v_1, ..., v_l]."""
    return R.full_attnres(emb, queries, f, eps, output_site)


def bf16_bits(x):
    """Round-to-nearest-even bf16 bit patterns of x (uint16)."""
    u = np.asarray(x, np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def bf16_value(bits):
    """float64 values of bf16 bit patterns."""
    return (np.asarray(bits, np.uint16).astype(np.uint32) << 16).view(np.float32).astype(np.float64)


def round_bf16(x):
    return bf16_value(bf16_bits(x))


def check(what, got, ref, atol, rtol):
    """An element fails iff NOT(|got - ref| <= atol + rtol·|ref|) (NaN
    fails). Prints and returns whether all pass."""
    got = np.asarray(got, np.float64)
    ref = np.asarray(ref, np.float64)
    assert got.shape == ref.shape, (what, got.shape, ref.shape)
    ok = np.abs(got - ref) <= atol + rtol * np.abs(ref)
    bad = int(got.size - np.count_nonzero(ok))
    err = float(np.max(np.abs(got - ref))) if got.size else 0.0
    print("%s: max_abs_err %.3g, mismatches %d -> %s" % (what, err, bad, "PASS" if bad == 0 else "FAIL"))
    return bad == 0
