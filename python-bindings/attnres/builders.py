"""IR builders: MLIR text for AttnRes sites and whole Full / Block AttnRes
models, written with the attnres dialect (`depth_attn`, `block_summary`,
`rms_norm`).

A model function takes the embedding, a stacked query tensor (row l belongs
to sublayer l, the last row to the output site; row 0 is never read because
the first sublayer has one source) and the sublayers' parameters, and returns
the output site's result (or, without the output site, the sources the output
site would attend over).

Sublayers f_l are pluggable: `sublayer(b, l, h)` gets an `IRBuilder` `b`, the
0-based sublayer index and the SSA name of its input h (type `b.hidden_type`)
and returns the SSA name of f_l(h), of the same type, after emitting IR with
`b.emit(...)` and the helpers below. `b.param(name, shape, dtype)` adds a
function argument (once per name, stacked over the sublayers by convention)
and `b.layer(param, l)` slices sublayer l's part. The default sublayer is
`TanhRMSNormMatmul`: f_l(h) = tanh(rms_norm(h, g_l) @ W_l).

Options of the model builders (all off by default): `constants` bakes
arguments into the function as dense constants (the test generator
scripts/attnres_gen.py builds its models this way), `two_phase` computes the
sites with `depth_attn_stats` per block and `depth_attn_merge`
(attnres-math.md §4), `running_sums` keeps each block's sum as a running
`block_summary [partial, f_l]`, `chunks` annotates the ops with pipeline
chunks (`attnres.chunk`), `dynamic_query` gives the sites `tensor<?xf32>`
queries.

The op text itself is written by `attnres.ir` (one function per op); this
module, `ir` and `dtypes` need only Python and numpy.
"""

import collections
import re

import numpy as np

from . import ir
from .dtypes import FLOAT_TYPES

DEFAULT_EPS = 1e-5

#: A function argument or result of a built model: name, shape (None for a
#: dynamic size) and MLIR element type.
Argument = collections.namedtuple("Argument", ["name", "shape", "dtype"])

_RESERVED = {"emb", "queries", "tokens", "c0", "zero"}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _f32_literal(x):
    """An MLIR float literal that parses to the f32 value nearest to x."""
    return ir.f32_literal(x)


def _check_eps(eps, what="eps"):
    if not isinstance(eps, (int, float)) or not np.isfinite(eps) or eps < 0:
        raise ValueError("%s must be a finite number >= 0, got %r" % (what, eps))
    return float(eps)


def _check_positive(value, what):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError("%s must be an integer >= 1, got %r" % (what, value))
    return int(value)


def _check_dtype(dtype):
    if dtype not in FLOAT_TYPES:
        raise ValueError("dtype must be one of %s, got %r" % (", ".join(FLOAT_TYPES), dtype))
    return dtype


def _check_tokens(tokens, allow_tuple=False):
    """None (dynamic), a size, or (sites) a tuple of those."""
    if allow_tuple and isinstance(tokens, (tuple, list)):
        return [_check_tokens(t)[0] for t in tokens]
    if tokens is None:
        return [None]
    if isinstance(tokens, bool) or not isinstance(tokens, (int, np.integer)) or tokens < 0:
        raise ValueError("tokens must be None (dynamic) or an integer >= 0, got %r" % (tokens,))
    return [int(tokens)]


tensor_type = ir.tensor_type


class Model:
    """MLIR text of one function plus its signature.

    Attributes: `ir` (the module text), `entry` (the function name),
    `arguments` and `results` (lists of `Argument`), `function` (the
    `func.func` text without its module)."""

    def __init__(self, ir, entry, arguments, results, function=None):
        self.ir = ir
        self.entry = entry
        self.arguments = arguments
        self.results = results
        #: The `func.func` text alone (to place it in another module).
        self.function = function

    def compile(self, target="cpu", options=""):
        """`attnres.compile(self.ir, self.entry, target, options)`."""
        from . import compile as compile_ir
        return compile_ir(self.ir, self.entry, target=target, options=options)

    def signature(self):
        """The function's signature as text."""
        args = ", ".join("%s: %s" % (a.name, tensor_type(a.shape, a.dtype))
                         for a in self.arguments)
        res = ", ".join(tensor_type(r.shape, r.dtype) for r in self.results)
        return "@%s(%s) -> (%s)" % (self.entry, args, res)

    def __str__(self):
        return self.ir

    def __repr__(self):
        return "<attnres.Model %s>" % self.signature()


class IRBuilder:
    """Collects the body of one model function; handed to sublayer callbacks.

    Attributes: `layers`, `d`, `dtype` (the model's element type), `tokens`
    (an int, or None when the token count is dynamic), `hidden_type` (the
    type of h and of f_l(h): `tensor<tokens x d x dtype>`), `chunk` (None,
    or the pipeline chunk the attnres ops emitted now are annotated with).

    `constants` (name -> array): those parameters (and fixed arguments such
    as `emb` and `queries`) are not function arguments but dense constants
    at the top of the body; the values must be representable in their
    dtype. A constant parameter is read by rows (`layer`, `rows`)."""

    def __init__(self, layers, d, dtype, tokens, eps, constants=None):
        self.layers = layers
        self.d = d
        self.dtype = dtype
        self.tokens = tokens
        self.eps = eps
        self.chunk = None
        self._body = []
        self._prologue = []  # constants (and their casts), before the body
        self._params = collections.OrderedDict()  # name -> (shape, dtype)
        self._fixed = collections.OrderedDict()  # the model's own arguments (emb, queries)
        self._constants = {k: np.asarray(v) for k, v in (constants or {}).items()}
        self._defined = {}  # constant rows already emitted: key -> SSA name
        self._count = 0
        self._needs_zero = False

    # -- basics --------------------------------------------------------------

    @property
    def hidden_shape(self):
        return [self.tokens, self.d]

    @property
    def hidden_type(self):
        return tensor_type(self.hidden_shape, self.dtype)

    def type_of(self, dtype=None):
        """The hidden shape with element type `dtype` (default: the model's)."""
        return tensor_type(self.hidden_shape, dtype or self.dtype)

    def fresh(self, stem="v"):
        """A new SSA name `%<stem>_<n>`."""
        self._count += 1
        return "%%%s_%d" % (stem, self._count)

    def emit(self, text):
        """Appends lines of IR to the function body."""
        for line in str(text).strip("\n").splitlines():
            self._body.append("    " + line.rstrip())

    def comment(self, text):
        self.emit("// " + text)

    def attrs(self):
        """The attributes every attnres op emitted now carries (the chunk)."""
        return ir.chunk_attr(self.chunk)

    def _check_constant(self, name, shape, dtype):
        if name not in self._constants:
            return False
        value = self._constants[name]
        if None in shape or list(value.shape) != list(shape):
            raise ValueError("constant %r has shape %s, the function needs %s"
                             % (name, list(value.shape), tensor_type(shape, dtype)))
        return True

    def param(self, name, shape, dtype="f32"):
        """Declares (once) a function argument `%name` of `shape` and returns
        its SSA name. Later calls with the same name must agree. A name in
        `constants` is a constant instead (read it with `layer`/`rows`)."""
        if not isinstance(name, str) or not _NAME.match(name) or name in _RESERVED \
                or re.search(r"_\d+$", name):
            raise ValueError("invalid parameter name %r (an identifier, not %s, not "
                             "ending in _<digits>)" % (name, ", ".join(sorted(_RESERVED))))
        shape = [None if s is None else int(s) for s in shape]
        if dtype not in ("f32", "f16", "bf16", "f64"):
            raise ValueError("parameter %r: unsupported dtype %r" % (name, dtype))
        if name in self._params:
            if self._params[name] != (shape, dtype):
                raise ValueError("parameter %r declared twice with different types: %s and %s"
                                 % (name, tensor_type(*self._params[name]),
                                    tensor_type(shape, dtype)))
        else:
            self._check_constant(name, shape, dtype)
            self._params[name] = (shape, dtype)
        return "%" + name

    def _lookup(self, name):
        name = name.lstrip("%")
        if name in self._fixed:
            return self._fixed[name]
        if name in self._params:
            return self._params[name]
        raise ValueError("unknown parameter %r" % (name,))

    def param_type(self, name):
        """The tensor type of a declared parameter."""
        return tensor_type(*self._lookup(name))

    def _constant_rows(self, name, start, count, reduce):
        """A constant of rows [start, start + count) of constant `name`
        (rank-reduced when `reduce`), in the prologue, emitted once."""
        key = (name, start, count, reduce)
        if key not in self._defined:
            _, dtype = self._lookup(name)
            rows = self._constants[name][start:start + count]
            v = ("%%%s_row%d" % (name, start) if reduce
                 else "%%%s_rows%d_%d" % (name, start, count))
            self._prologue.append("    " + ir.constant(v, rows[0] if reduce else rows, dtype))
            self._defined[key] = v
        return self._defined[key]

    def layer(self, param, l):
        """Row `l` of a stacked parameter (rank-reduced slice along dim 0)."""
        name = param.lstrip("%")
        shape, dtype = self._lookup(name)
        if not shape or shape[0] is None or not 0 <= l < shape[0]:
            raise ValueError("cannot take row %d of parameter %r of shape %s" % (l, name, shape))
        if name in self._constants:
            return self._constant_rows(name, l, 1, True)
        v = self.fresh(name)
        self.emit(ir.extract_row(v, param, l, shape, dtype))
        return v

    def rows(self, param, start, count):
        """Rows [start, start + count) of a stacked parameter (not reduced)."""
        name = param.lstrip("%")
        shape, dtype = self._lookup(name)
        if not shape or shape[0] is None or not 0 <= start <= start + count <= shape[0]:
            raise ValueError("cannot take rows %d..%d of parameter %r of shape %s"
                             % (start, start + count, name, shape))
        if name in self._constants:
            return self._constant_rows(name, start, count, False)
        v = self.fresh(name)
        rest = shape[1:]
        self.emit("%s = tensor.extract_slice %s[%s] [%s] [%s] : %s to %s"
                  % (v, param, ", ".join([str(start)] + ["0"] * len(rest)),
                     ", ".join(str(x) for x in [count] + rest), ", ".join(["1"] * len(shape)),
                     tensor_type(shape, dtype), tensor_type([count] + rest, dtype)))
        return v

    def cast(self, value, from_type, to_type):
        """`tensor.cast`; a cast of a constant goes with the constants."""
        v = self.fresh("cast")
        line = ir.cast(v, value, from_type, to_type)
        if value in self._defined.values():
            self._prologue.append("    " + line)
        else:
            self.emit(line)
        return v

    def empty(self, dtype=None):
        """`tensor.empty` of the hidden shape."""
        v = self.fresh("empty")
        dyn = "%tokens" if self.tokens is None else ""
        self.emit("%s = tensor.empty(%s) : %s" % (v, dyn, self.type_of(dtype)))
        return v

    # -- attnres ops ---------------------------------------------------------

    def depth_attn(self, query, sources, eps=None, query_type=None):
        """`attnres.depth_attn` of a query (default type f32 [d]) over
        hidden-typed sources."""
        v = self.fresh("h")
        self.emit(ir.depth_attn(v, query, sources, self.eps if eps is None else eps,
                                query_type or tensor_type([self.d], "f32"), self.hidden_type,
                                attrs=self.attrs()))
        return v

    def depth_attn_stats(self, queries, count, sources, eps=None):
        """`attnres.depth_attn_stats` of `count` f32 queries [count, d] over
        hidden-typed sources; returns (o, lse) of types [count, tokens, d]
        and [count, tokens] f32."""
        o, lse = self.fresh("o"), self.fresh("lse")
        self.emit(ir.depth_attn_stats([o, lse], queries, sources, self.eps if eps is None else eps,
                                      tensor_type([count, self.d], "f32"), self.hidden_type,
                                      tensor_type([count] + self.hidden_shape, self.dtype),
                                      tensor_type([count, self.tokens], "f32"),
                                      attrs=self.attrs()))
        return o, lse

    def stats_row(self, o, lse, i, count):
        """Query i's (o [tokens, d], lse [tokens]) of a depth_attn_stats."""
        ro, rl = self.fresh("o"), self.fresh("lse")
        t = "%tokens" if self.tokens is None else self.tokens
        self.emit(ir.extract_row(ro, o, i, [count, t, self.d], self.dtype))
        self.emit(ir.extract_row(rl, lse, i, [count, t], "f32"))
        return ro, rl

    def depth_attn_merge(self, o, lse, query, source, eps=None, query_type=None):
        """`attnres.depth_attn_merge` of a phase-1 row (o, lse) with one more
        hidden-typed source."""
        v = self.fresh("h")
        self.emit(ir.depth_attn_merge(v, o, lse, query, source, self.eps if eps is None else eps,
                                      self.hidden_type, tensor_type([self.tokens], "f32"),
                                      query_type or tensor_type([self.d], "f32"),
                                      self.hidden_type, attrs=self.attrs()))
        return v

    def block_summary(self, values, stem="b", outs=None):
        """`attnres.block_summary` of hidden-typed values; `outs`: None, "empty"
        (a tensor.empty destination; static token counts) or "inplace" (the
        last summand is the destination)."""
        v = self.fresh(stem)
        dest = None
        if outs == "empty":
            if self.tokens is None:
                raise ValueError("summary_outs='empty' needs a static token count")
            init = v + "_init"
            self.emit("%s = tensor.empty() : %s" % (init, self.hidden_type))
            dest = [(init, self.hidden_type)]
        elif outs == "inplace":
            dest = [(values[-1], self.hidden_type)]
        elif outs is not None:
            raise ValueError("summary_outs must be None, 'empty' or 'inplace', got %r" % (outs,))
        self.emit(ir.block_summary(v, values, self.hidden_type, attrs=self.attrs(), outs=dest))
        return v

    def rms_norm(self, x, gain, eps=DEFAULT_EPS, gain_dtype="f32"):
        """`attnres.rms_norm` of a hidden-typed x with a [d] gain."""
        v = self.fresh("n")
        self.emit(ir.rms_norm(v, x, gain, eps, self.hidden_type, tensor_type([self.d], gain_dtype),
                              attrs=self.attrs()))
        return v

    # -- linalg helpers ------------------------------------------------------

    def matmul(self, x, w, x_dtype=None, w_dtype="f32"):
        """x [tokens, d] @ w [d, d], accumulated and returned in f32."""
        self._needs_zero = True
        init = self.empty("f32")
        zeros = self.fresh("zeros")
        acc = self.type_of("f32")
        self.emit("%s = linalg.fill ins(%%zero : f32) outs(%s : %s) -> %s"
                  % (zeros, init, acc, acc))
        v = self.fresh("mm")
        self.emit("%s = linalg.matmul ins(%s, %s : %s, %s) outs(%s : %s) -> %s"
                  % (v, x, w, self.type_of(x_dtype), tensor_type([self.d, self.d], w_dtype),
                     zeros, acc, acc))
        return v

    def elementwise(self, x, op=None, in_dtype="f32", out_dtype=None, stem="map"):
        """An elementwise map of a hidden-shaped x: the unary `op` (e.g.
        "math.tanh", or None), then a conversion to `out_dtype` (default: the
        model's element type)."""
        out_dtype = out_dtype or self.dtype
        init = self.empty(out_dtype)
        v, a, o = self.fresh(stem), self.fresh("in"), self.fresh("out")
        ident = "affine_map<(i, j) -> (i, j)>"
        lines = ['%s = linalg.generic {indexing_maps = [%s, %s], iterator_types = '
                 '["parallel", "parallel"]} ins(%s : %s) outs(%s : %s) {'
                 % (v, ident, ident, x, self.type_of(in_dtype), init, self.type_of(out_dtype)),
                 "^bb0(%s: %s, %s: %s):" % (a, in_dtype, o, out_dtype)]
        cur = a
        if op:
            t = self.fresh("t")
            lines.append("  %s = %s %s : %s" % (t, op, cur, in_dtype))
            cur = t
        if out_dtype != in_dtype:
            t = self.fresh("t")
            widths = {"f16": 16, "bf16": 16, "f32": 32, "f64": 64}
            conv = "arith.truncf" if widths[out_dtype] < widths[in_dtype] else "arith.extf"
            lines.append("  %s = %s %s : %s to %s" % (t, conv, cur, in_dtype, out_dtype))
            cur = t
        lines.append("  linalg.yield %s : %s" % (cur, out_dtype))
        lines.append("} -> %s" % self.type_of(out_dtype))
        self.emit("\n".join(lines))
        return v

    # -- assembling ----------------------------------------------------------

    def fixed_argument(self, name, shape, dtype):
        """Declares one of the model's own leading arguments (not listed
        among the sublayer parameters); in `constants`, a constant of the
        function instead."""
        shape = [None if s is None else int(s) for s in shape]
        self._fixed[name] = (shape, dtype)
        if self._check_constant(name, shape, dtype) and name != "queries":
            # Read whole (the embedding): defined once, under its own name.
            self._prologue.append("    " + ir.constant("%" + name, self._constants[name], dtype))
        return "%" + name

    def function_text(self, name, results, attributes=None, result_types=None):
        """The `func.func @name` text: the fixed arguments first, then the
        declared parameters (constants are neither). `result_types`: one
        type per result (default: the hidden type)."""
        args = [Argument(n, s, t) for n, (s, t) in self._fixed.items()
                if n not in self._constants]
        args += [Argument(n, s, t) for n, (s, t) in self._params.items()
                 if n not in self._constants]
        params = ", ".join("%%%s: %s" % (a.name, tensor_type(a.shape, a.dtype)) for a in args)
        res_types = list(result_types or [self.hidden_type] * len(results))
        if len(res_types) != len(results):
            raise ValueError("%d results but %d result types" % (len(results), len(res_types)))
        prologue = []
        if self.tokens is None:
            prologue += ["    %c0 = arith.constant 0 : index",
                         "    %%tokens = tensor.dim %%emb, %%c0 : %s" % self.hidden_type]
        prologue += self._prologue
        if self._needs_zero:
            prologue.append("    %zero = arith.constant 0.0 : f32")
        attrs = " attributes {%s}" % ", ".join(attributes) if attributes else ""
        lines = ["  func.func @%s(%s) -> (%s)%s {"
                 % (name, params, ", ".join(res_types), attrs)]
        lines += prologue + self._body
        lines.append("    return %s : %s" % (", ".join(results), ", ".join(res_types)))
        lines.append("  }")
        return "\n".join(lines), args

    def finish(self, name, results, attributes=None):
        """The module text of `func.func @name` (`function_text`); returns a
        `Model`."""
        function, args = self.function_text(name, results, attributes)
        out = [Argument("result" if len(results) == 1 else "result%d" % i,
                        list(self.hidden_shape), self.dtype) for i in range(len(results))]
        return Model("module {\n" + function + "\n}\n", name, args, out, function)


class TanhRMSNormMatmul:
    """The built-in sublayer f_l(h) = tanh(rms_norm(h, g_l) @ W_l).

    Parameters (function arguments, f32): `W` [layers, d, d] and `g`
    [layers, d]. The normalization runs in the model's element type, the
    matmul and tanh in f32, and the result is rounded to the element type.
    `attnres.reference.tanh_rms_norm_matmul(W, g, eps)` is its numpy
    reference."""

    def __init__(self, eps=DEFAULT_EPS):
        self.eps = _check_eps(eps, "the sublayer's eps")

    def __call__(self, b, l, h):
        W = b.param("W", [b.layers, b.d, b.d], "f32")
        g = b.param("g", [b.layers, b.d], "f32")
        normed = b.rms_norm(h, b.layer(g, l), eps=self.eps)
        mm = b.matmul(normed, b.layer(W, l), x_dtype=b.dtype)
        return b.elementwise(mm, "math.tanh", in_dtype="f32", out_dtype=b.dtype, stem="f")


def _run_sublayer(sublayer, b, l, h):
    out = sublayer(b, l, h)
    if not isinstance(out, str) or not out.startswith("%"):
        raise TypeError("sublayer(b, l, h) must return the SSA name (e.g. '%%f') of "
                        "f_l(h); sublayer %d returned %r" % (l, out))
    return out


def _model_builder(layers, d, tokens, dtype, eps, sublayer, output_site, constants=None):
    layers = _check_positive(layers, "layers")
    d = _check_positive(d, "d")
    tokens = _check_tokens(tokens)[0]
    dtype = _check_dtype(dtype)
    eps = _check_eps(eps)
    if sublayer is None:
        sublayer = TanhRMSNormMatmul()
    if not callable(sublayer):
        raise TypeError("sublayer must be callable as sublayer(b, l, h)")
    if constants is not None and not isinstance(constants, dict):
        raise TypeError("constants must be a dict name -> array")
    b = IRBuilder(layers, d, dtype, tokens, eps, constants)
    b.fixed_argument("emb", b.hidden_shape, dtype)
    b.fixed_argument("queries", [layers + 1 if output_site else layers, d], "f32")
    return b, sublayer


def _chunk_list(chunks, layers, output_site):
    """None, or one chunk per sublayer (plus the output site's)."""
    if chunks is None:
        return None
    chunks = list(chunks)
    want = layers + (1 if output_site else 0)
    if len(chunks) != want or any(isinstance(c, bool) or not isinstance(c, (int, np.integer))
                                  or c < 0 for c in chunks):
        raise ValueError("chunks must list %d integers >= 0 (one per sublayer%s), got %r"
                         % (want, " and the output site" if output_site else "", chunks))
    return [int(c) for c in chunks]


def _block_model(b, sublayer, block_size, output_site, two_phase, running_sums, chunks,
                 dynamic_query, epilogue, summary_outs=None, trace=None):
    """The Block AttnRes state machine (math §3) in IR; block_size = 1 is
    Full AttnRes. Returns the function's results.

    `trace` (a dict, filled when given): what a reverse sweep needs.
    `trace["sites"]`: one (l, sources, leaves) per sublayer l and, as l =
    layers, the output site: its sources' SSA names and, per source, the
    leaves it sums ("emb", or the index of a sublayer whose output it
    contains). `trace["sublayers"]`: one (h, f) per sublayer, its input and
    output SSA names."""
    L = b.layers
    q_type = tensor_type([None if dynamic_query else b.d], "f32")

    def query(l):
        q = b.layer("%queries", l)
        if dynamic_query:
            q = b.cast(q, tensor_type([b.d], "f32"), q_type)
        return q

    blocks, outs, partial = ["%emb"], [], None
    phase1 = None  # two-phase: (o, lse, first sublayer, count) of the block
    leaves = {"%emb": ["emb"]}  # value -> the leaves it sums
    if trace is not None:
        trace["sites"], trace["sublayers"] = [], []
    for l in range(L):
        b.chunk = None if chunks is None else chunks[l]
        if l > 0 and l % block_size == 0:
            blocks.append(partial)
            outs, partial = [], None
        sources = blocks + ([partial] if partial else [])
        b.comment("sublayer %d (block %d): sources [%s]"
                  % (l, l // block_size + 1, ", ".join(sources)))
        if two_phase and l % block_size == 0:
            # Phase 1 for the block's sublayers that have a site (sublayer 0
            # has one source) over the completed blocks.
            first = l + (1 if l == 0 else 0)
            count = min(l + block_size, L) - first
            phase1 = None
            if count > 0:
                o, lse = b.depth_attn_stats(b.rows("%queries", first, count), count, blocks)
                phase1 = (o, lse, first, count)
        if trace is not None:
            trace["sites"].append((l, list(sources), [list(leaves[s]) for s in sources]))
        if len(sources) == 1:
            h = sources[0]
        elif two_phase:
            o, lse, first, count = phase1
            ro, rl = b.stats_row(o, lse, l - first, count)
            h = ro if partial is None else b.depth_attn_merge(ro, rl, query(l), partial,
                                                              query_type=q_type)
        else:
            h = b.depth_attn(query(l), sources, query_type=q_type)
        outs.append(_run_sublayer(sublayer, b, l, h))
        leaves[outs[-1]] = [l]
        if trace is not None:
            trace["sublayers"].append((h, outs[-1]))
        if len(outs) == 1:
            partial = outs[0]
        else:
            done = (l + 1) % block_size == 0 or l == L - 1
            summed = [partial, outs[-1]] if running_sums else outs
            partial = b.block_summary(summed, "b" if done else "p", outs=summary_outs)
            leaves[partial] = [x for s in summed for x in leaves[s]]
    sources = blocks + [partial]
    if trace is not None and output_site:
        trace["sites"].append((L, list(sources), [list(leaves[s]) for s in sources]))
    if not output_site:
        b.chunk = None
        return sources
    b.chunk = None if chunks is None else chunks[L]
    b.comment("output site: sources [%s]" % ", ".join(sources))
    if two_phase:
        o, lse = b.depth_attn_stats(b.rows("%queries", L, 1), 1, blocks)
        ro, rl = b.stats_row(o, lse, 0, 1)
        y = b.depth_attn_merge(ro, rl, query(L), partial, query_type=q_type)
    else:
        y = b.depth_attn(query(L), sources, query_type=q_type)
    b.chunk = None
    if epilogue is not None:
        epilogue(b, y)
    return [y]


def block_attnres(layers, block_size, d, tokens=None, dtype="f32", output_site=True,
                  sublayer=None, eps=DEFAULT_EPS, name="block_attnres", constants=None,
                  two_phase=False, running_sums=False, chunks=None, dynamic_query=False,
                  attributes=None, epilogue=None, summary_outs=None):
    """Block AttnRes (math §3) with `layers` sublayers in blocks of
    `block_size`; block_size=1 is Full AttnRes. Arguments: `emb` [tokens, d]
    (dtype), `queries` [layers + 1, d] f32 (without the output site
    [layers, d]), then the sublayer's parameters. Returns the output site's
    result, or without it the completed block summaries and the last partial
    sum [b_0 = emb, ..., b_{N-1}, partial].

    Options (module docstring): `constants` (name -> array: arguments baked
    in as constants), `two_phase` (phase 1 per block over the completed
    blocks, then merges; needs the output site), `running_sums`, `chunks`
    (one pipeline chunk per sublayer and one for the output site),
    `dynamic_query`, `attributes` (entries of the function's attribute
    dictionary, e.g. ["llvm.emit_c_interface"]), `epilogue(b, y)` (emits IR
    after the output site, before the return), `summary_outs` (None, "empty"
    or "inplace": destinations of the block_summary ops)."""
    block_size = _check_positive(block_size, "block_size")
    b, sublayer = _model_builder(layers, d, tokens, dtype, eps, sublayer, output_site,
                                 constants)
    chunks = _chunk_list(chunks, b.layers, output_site)
    if two_phase and not output_site:
        raise ValueError("two_phase needs the output site")
    b.comment("Block AttnRes: %d sublayers, block size %d, d = %d, %s"
              % (b.layers, block_size, b.d, dtype))
    results = _block_model(b, sublayer, block_size, output_site, two_phase, running_sums,
                           chunks, dynamic_query, epilogue, summary_outs)
    return _finish(b, name, results, attributes)


def full_attnres(layers, d, tokens=None, dtype="f32", output_site=True, sublayer=None,
                 eps=DEFAULT_EPS, name="full_attnres", constants=None, two_phase=False,
                 chunks=None, dynamic_query=False, attributes=None, epilogue=None):
    """Full AttnRes (math §2): sublayer l attends over [v_0 = emb, v_1, ...,
    v_l] (the raw outputs of the earlier sublayers): Block AttnRes with
    blocks of one sublayer. Arguments and options as for `block_attnres`;
    without the output site returns [v_0, ..., v_L]."""
    b, sublayer = _model_builder(layers, d, tokens, dtype, eps, sublayer, output_site,
                                 constants)
    chunks = _chunk_list(chunks, b.layers, output_site)
    if two_phase and not output_site:
        raise ValueError("two_phase needs the output site")
    b.comment("Full AttnRes: %d sublayers, d = %d, %s" % (b.layers, b.d, dtype))
    results = _block_model(b, sublayer, 1, output_site, two_phase, False, chunks,
                           dynamic_query, epilogue)
    return _finish(b, name, results, attributes)


def _finish(b, name, results, attributes=None):
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError("invalid function name %r" % (name,))
    return b.finish(name, results, attributes)


def site(sources, d, tokens=None, dtype="f32", query_dtype="f32", eps=DEFAULT_EPS,
         name="site"):
    """One fused site: `@site(%q: tensor<d x query_dtype>, %v0 .. %v{n-1}:
    tensor<tokens... x d x dtype>) -> tensor<tokens... x d x dtype>` with
    `attnres.depth_attn`. `tokens`: None (one dynamic dim), an int, or a
    tuple of those (several token dims; () for rank-1 sources)."""
    n = _check_positive(sources, "sources")
    d = _check_positive(d, "d")
    dims = _check_tokens(tokens, allow_tuple=True)
    dtype = _check_dtype(dtype)
    if query_dtype not in ("f32", dtype):
        raise ValueError("query_dtype must be f32 or the sources' dtype %s, got %r"
                         % (dtype, query_dtype))
    eps = _check_eps(eps)
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError("invalid function name %r" % (name,))
    src_t = tensor_type(dims + [d], dtype)
    q_t = tensor_type([d], query_dtype)
    names = ["%%v%d" % j for j in range(n)]
    function = "\n".join([
        "  func.func @%s(%%q: %s, %s) -> %s {"
        % (name, q_t, ", ".join("%s: %s" % (v, src_t) for v in names), src_t),
        "    " + ir.depth_attn("%h", "%q", names, eps, q_t, src_t),
        "    return %%h : %s" % src_t,
        "  }",
    ])
    args = [Argument("q", [d], query_dtype)]
    args += [Argument("v%d" % j, dims + [d], dtype) for j in range(n)]
    return Model("module {\n" + function + "\n}\n", name, args,
                 [Argument("result", dims + [d], dtype)], function)
