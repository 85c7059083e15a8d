"""The textual form of the attnres ops, written once.

Every program that writes attnres IR as text goes through these functions:
the package's builders (`attnres.builders`, `attnres.grad_builders`), the
test generators (`scripts/attnres_gen.py`, `scripts/attnres_grad_gen.py`),
the benchmarks (`bench/*.py`) and `scripts/gpu_kernel_report.py`.
Each returns one line of IR without indentation (the caller indents).

This module needs only Python and numpy, like `builders` and `dtypes`: the
test generators load those three from the source tree without the native
module `_attnres` (so without a build; see scripts/attnres_gen.py).

Conventions of the arguments:
  * SSA values are strings with their `%` (`"%v0"`); a list of them for the
    variadic operands (`sources`, `values`).
  * Types are strings (`tensor_type(shape, dtype)` builds them).
  * `eps` is a Python float, written as the f32 literal nearest to it (or a
    string: the f32 literal as the caller writes it, e.g. "1.0e-06").
  * `outs`: None, or a list of (value, type) destinations (the optional
    `outs(...)` of docs/semantics.md, "Destinations").
  * `attrs`: extra attributes before `eps`, as a list of (name, text) pairs,
    e.g. `[("attnres.chunk", "2 : i64")]` (chunk_attr).
"""

import numpy as np

#: The MLIR element types the attnres ops accept for sources and outputs.
FLOAT_TYPES = ("f32", "f16", "bf16")


# ---------------------------------------------------------------------------
# Types and literals
# ---------------------------------------------------------------------------


def _dim(s):
    return "?" if s is None or isinstance(s, str) else str(s)


def tensor_type(shape, dtype):
    """`tensor<...>` text; None (or the SSA name of the size, a string)
    stands for a dynamic size."""
    return "tensor<%s%s>" % ("".join(_dim(s) + "x" for s in shape), dtype)


def f32_literal(x):
    """An MLIR float literal that parses to the f32 value nearest to x: the
    shortest decimal of that f32 value."""
    f = np.float32(x)
    if not np.isfinite(f):
        raise ValueError("non-finite constant %r" % (x,))
    s = np.format_float_positional(f, unique=True, trim="0") \
        if 1e-4 <= abs(f) < 1e7 or f == 0 else np.format_float_scientific(f, unique=True, trim="0")
    mantissa, _, exponent = s.partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    elif mantissa.endswith("."):
        mantissa += "0"
    s = mantissa + ("e" + exponent if exponent else "")
    if np.float32(float(s)) != f:
        raise AssertionError("f32 literal %s does not round-trip %r" % (s, x))
    return s


def _fix_literal(s):
    if "." not in s:  # '1e-05' -> '1.0e-05', '3' -> '3.0'
        s = s.replace("e", ".0e") if "e" in s else s + ".0"
    return s


def float_literal(v, dtype="f64"):
    """An MLIR float literal that the parser (decimal -> double -> `dtype`,
    round to nearest even) turns into exactly the value v of type `dtype`
    (v must be representable in `dtype`). Prefers the shortest decimal of
    the f32/f16 value; falls back to the double's repr, which denotes v
    exactly."""
    v = float(v)
    if not np.isfinite(v):
        raise ValueError("non-finite constant")
    short = {"f32": np.float32, "f16": np.float16}.get(dtype)
    if short is not None:
        s = str(short(v))
        if float(short(float(s))) == v:
            return _fix_literal(s)
    return _fix_literal(repr(v))


def dense_literal(a, dtype="f64"):
    """`dense<...>` literal of an array whose values are representable in
    `dtype` (parsed back exactly). A zero-size array is `dense<>` (a nested
    `[]` would not match a type with a zero dimension before others)."""
    a = np.asarray(a, np.float64)
    if a.size == 0:
        return "dense<>"

    def rec(x):
        if x.ndim == 0:
            return float_literal(x, dtype)
        return "[" + ", ".join(rec(y) for y in x) + "]"

    return "dense<" + rec(a) + ">"


def constant(result, values, dtype):
    """`arith.constant` of a dense tensor (values exactly representable in
    `dtype`)."""
    values = np.asarray(values)
    return "%s = arith.constant %s : %s" % (result, dense_literal(values, dtype),
                                            tensor_type(values.shape, dtype))


# ---------------------------------------------------------------------------
# Attributes
# ---------------------------------------------------------------------------


def chunk_attr(chunk):
    """The `attnres.chunk` annotation of a pipeline chunk (docs/pipelines.md),
    as an `attrs` list; [] for None."""
    return [] if chunk is None else [("attnres.chunk", "%d : i64" % chunk)]


def attr_dict(eps=None, attrs=None):
    """` {name = value, ..., eps = E : f32}`, or "" when empty."""
    entries = ["%s = %s" % kv for kv in (attrs or [])]
    if eps is not None:
        entries.append("eps = %s : f32" % (eps if isinstance(eps, str) else f32_literal(eps)))
    return " {%s}" % ", ".join(entries) if entries else ""


def _outs(outs):
    if not outs:
        return ""
    return " outs(%s : %s)" % (", ".join(v for v, _ in outs), ", ".join(t for _, t in outs))


def _results(results):
    return ", ".join(results) if isinstance(results, (list, tuple)) else results


# ---------------------------------------------------------------------------
# The ops (docs/semantics.md); one function per op
# ---------------------------------------------------------------------------


def depth_attn(result, query, sources, eps, query_type, source_type, result_type=None,
               outs=None, attrs=None):
    """`%h = attnres.depth_attn %q, [%v...] outs(...) {eps} : Q, V -> H`."""
    return "%s = attnres.depth_attn %s, [%s]%s%s : %s, %s -> %s" % (
        result, query, ", ".join(sources), _outs(outs), attr_dict(eps, attrs), query_type,
        source_type, result_type or source_type)


def depth_attn_stats(results, queries, sources, eps, queries_type, source_type, out_type,
                     lse_type, outs=None, attrs=None):
    """`%o, %lse = attnres.depth_attn_stats %Q, [%v...] {eps} : Q, V -> O, LSE`
    (`results`: the two names)."""
    return "%s = attnres.depth_attn_stats %s, [%s]%s%s : %s, %s -> %s, %s" % (
        _results(results), queries, ", ".join(sources), _outs(outs), attr_dict(eps, attrs),
        queries_type, source_type, out_type, lse_type)


def depth_attn_merge(result, out, lse, query, source, eps, out_type, lse_type, query_type,
                     source_type, outs=None, attrs=None):
    """`%h = attnres.depth_attn_merge %o, %lse, %q, %u {eps} : O, LSE, Q, U`."""
    return "%s = attnres.depth_attn_merge %s, %s, %s, %s%s%s : %s, %s, %s, %s" % (
        result, out, lse, query, source, _outs(outs), attr_dict(eps, attrs), out_type,
        lse_type, query_type, source_type)


def rms_norm(result, x, gain, eps, x_type, gain_type, attrs=None, outs=None):
    """`%n = attnres.rms_norm %x, %gain outs(...) {eps} : X, G`."""
    return "%s = attnres.rms_norm %s, %s%s%s : %s, %s" % (
        result, x, gain, _outs(outs), attr_dict(eps, attrs), x_type, gain_type)


def block_summary(result, values, value_type, attrs=None, outs=None):
    """`%b = attnres.block_summary [%v...] outs(...) : T`."""
    return "%s = attnres.block_summary [%s]%s%s : %s" % (
        result, ", ".join(values), _outs(outs), attr_dict(None, attrs), value_type)


def depth_logits(result, query, keys, query_type, key_type, logits_type, attrs=None,
                 outs=None):
    """`%s = attnres.depth_logits %w, [%k...] outs(...) : W, K -> S`."""
    return "%s = attnres.depth_logits %s, [%s]%s%s : %s, %s -> %s" % (
        result, query, ", ".join(keys), _outs(outs), attr_dict(None, attrs), query_type, key_type,
        logits_type)


def depth_softmax(result, logits, logits_type, attrs=None, outs=None):
    """`%a = attnres.depth_softmax %s outs(...) : S`."""
    return "%s = attnres.depth_softmax %s%s%s : %s" % (result, logits, _outs(outs),
                                                      attr_dict(None, attrs), logits_type)


def depth_combine(result, weights, values, weights_type, value_type, result_type=None,
                  attrs=None, outs=None):
    """`%h = attnres.depth_combine %a, [%v...] outs(...) : A, V -> H`."""
    return "%s = attnres.depth_combine %s, [%s]%s%s : %s, %s -> %s" % (
        result, weights, ", ".join(values), _outs(outs), attr_dict(None, attrs), weights_type, value_type,
        result_type or value_type)


def depth_attn_grad(results, query, sources, grad, eps, query_type, source_type, grad_type,
                    dquery_type=None, dsource_type=None, attrs=None, outs=None):
    """`%dq, %dv:n = attnres.depth_attn_grad %q, [%v...], %g outs(...) {eps}
    : Q, V, G -> DQ, DV` (`results`: e.g. "%dq, %dv:3", or "%r:4")."""
    return "%s = attnres.depth_attn_grad %s, [%s], %s%s%s : %s, %s, %s -> %s, %s" % (
        _results(results), query, ", ".join(sources), grad, _outs(outs), attr_dict(eps, attrs),
        query_type, source_type, grad_type, dquery_type or query_type,
        dsource_type or source_type)


def rms_norm_grad(results, x, gain, grad, eps, x_type, gain_type, attrs=None, outs=None):
    """`%dx, %dgain = attnres.rms_norm_grad %x, %gain, %g outs(...) {eps} : X, G`."""
    return "%s = attnres.rms_norm_grad %s, %s, %s%s%s : %s, %s" % (
        _results(results), x, gain, grad, _outs(outs), attr_dict(eps, attrs), x_type,
        gain_type)


def depth_attn_stats_grad(results, queries, sources, lse, dout, dlse, eps, queries_type,
                          source_type, lse_type, out_type, attrs=None, outs=None):
    """`%dQ, %dv:n = attnres.depth_attn_stats_grad %Q, [%v...], %lse, %do, %dlse outs(...)
    {eps} : Q, V, LSE, O -> Q, V`."""
    return ("%s = attnres.depth_attn_stats_grad %s, [%s], %s, %s, %s%s%s : %s, %s, %s, %s -> %s, %s"
            % (_results(results), queries, ", ".join(sources), lse, dout, dlse, _outs(outs),
               attr_dict(eps, attrs), queries_type, source_type, lse_type, out_type,
               queries_type, source_type))


def depth_attn_merge_grad(results, out, lse, query, source, grad, eps, out_type, lse_type,
                          query_type, attrs=None, outs=None):
    """`%do, %dlse, %dq, %du = attnres.depth_attn_merge_grad %o, %lse, %q, %u, %g outs(...)
    {eps} : O, LSE, Q`."""
    return "%s = attnres.depth_attn_merge_grad %s, %s, %s, %s, %s%s%s : %s, %s, %s" % (
        _results(results), out, lse, query, source, grad, _outs(outs), attr_dict(eps, attrs),
        out_type, lse_type, query_type)


# ---------------------------------------------------------------------------
# A few upstream ops the builders and generators share
# ---------------------------------------------------------------------------


def extract_row(result, value, index, shape, dtype):
    """Row `index` of `value` (dims `shape`; a dynamic size given as the SSA
    name of its value) along dim 0, rank-reduced."""
    rest = shape[1:]
    if any(s is None for s in rest):
        raise ValueError("extract_row: give dynamic sizes as SSA names, got %r" % (shape,))
    return "%s = tensor.extract_slice %s[%s] [%s] [%s] : %s to %s" % (
        result, value, ", ".join([str(index)] + ["0"] * len(rest)),
        ", ".join(["1"] + [str(s) for s in rest]),
        ", ".join(["1"] * len(shape)), tensor_type(shape, dtype), tensor_type(rest, dtype))


def cast(result, value, from_type, to_type):
    """`tensor.cast` between static and dynamic shapes."""
    return "%s = tensor.cast %s : %s to %s" % (result, value, from_type, to_type)
