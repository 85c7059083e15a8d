"""Builders of backward (gradient) functions of AttnRes models.

`block_attnres_grad(layers, block_size, d, tokens, sublayer, sublayer_vjp)`
returns a `Model` whose function runs a Block AttnRes model (attnres-math.md
§3; block_size=1 is Full AttnRes) forward and then its reverse sweep, and
returns the gradient of `L = Σ dy ⊙ y` with respect to the embedding and to
every query. The reverse sweep is built from the rules of docs/semantics.md
("Gradients"):

  * every site's `attnres.depth_attn_grad` (the output site first, then the
    sublayers from the last to the first);
  * a block summary or running partial passes its gradient unchanged to every
    sublayer output it sums, so a sublayer output's gradient is the sum
    (`attnres.block_summary`) of the source gradients of every later site
    that sees it, directly or inside a summary;
  * the sublayer's vector-Jacobian product `dh_l = J_{f_l}(h_l)^T dout_l`,
    which the caller provides as `sublayer_vjp(b, l, h, dout) -> dh` (IR,
    like the forward's `sublayer(b, l, h) -> f`). Gradients of the sublayers'
    own parameters are the caller's (not produced here).

The default sublayer is linear, f_l(h) = h @ W_l (parameter `W` [layers, d,
d]), with dh = dout @ W_l^T. f32 only.

The reverse sweep is not built here: the builder writes the forward model
with each sublayer a function whose `attnres.vjp` names its VJP, and the
compiler pass `attnres-build-backward` builds the backward (one home for the
construction; docs/pipelines.md).
"""

from .builders import Argument, IRBuilder, Model, _block_model, _check_eps, _check_positive, \
    _check_tokens, _NAME, tensor_type, DEFAULT_EPS


class LinearSublayer:
    """f_l(h) = h @ W_l with parameter `W` [layers, d, d] (f32), and its
    vector-Jacobian product dh = dout @ W_l^T."""

    def __call__(self, b, l, h):
        W = b.param("W", [b.layers, b.d, b.d], "f32")
        return b.matmul(h, b.layer(W, l))

    def vjp(self, b, l, h, dout):
        W = b.param("W", [b.layers, b.d, b.d], "f32")
        w = b.layer(W, l)
        e, t = b.fresh("wt_init"), b.fresh("wt")
        dd = tensor_type([b.d, b.d], "f32")
        b.emit("%s = tensor.empty() : %s" % (e, dd))
        b.emit("%s = linalg.transpose ins(%s : %s) outs(%s : %s) permutation = [1, 0]"
               % (t, w, dd, e, dd))
        return b.matmul(dout, t)


def block_attnres_grad(layers, block_size, d, tokens=None, sublayer=None, sublayer_vjp=None,
                       eps=DEFAULT_EPS, name="block_attnres_grad"):
    """The backward of Block AttnRes with an output site (module docstring).

    Function arguments: `emb` [tokens, d], `queries` [layers + 1, d], `dy`
    [tokens, d] (all f32), then the sublayer's parameters. Results: `d_emb`
    [tokens, d] and `d_queries` [layers + 1, d] (rows of sites with a single
    source, whose query has no effect, are 0).

    Built by the compiler: the forward model `@<name>_forward(emb, queries,
    params...)` calls one private function per sublayer whose `attnres.vjp`
    names a function built from `sublayer_vjp` (which returns dh; the
    parameters' gradients it returns are zeros: they are the caller's), the
    pass `attnres-build-backward` adds `@<name>_forward_backward`, and
    `@<name>` calls it and keeps the gradients of emb and queries."""
    from . import Module  # the native module, imported late (no cycle)

    L = _check_positive(layers, "layers")
    S = _check_positive(block_size, "block_size")
    d = _check_positive(d, "d")
    tokens = _check_tokens(tokens)[0]
    eps = _check_eps(eps)
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError("invalid function name %r" % (name,))
    if sublayer is None and sublayer_vjp is None:
        lin = LinearSublayer()
        sublayer, sublayer_vjp = lin, lin.vjp
    if not callable(sublayer) or not callable(sublayer_vjp):
        raise TypeError("sublayer(b, l, h) and sublayer_vjp(b, l, h, dout) must be callable "
                        "(both, or neither for the linear default)")
    b = IRBuilder(L, d, "f32", tokens, eps)
    b.fixed_argument("emb", b.hidden_shape, "f32")
    b.fixed_argument("queries", [L + 1, d], "f32")
    ht, qq = b.hidden_type, tensor_type([L + 1, d], "f32")

    # Sublayer and VJP bodies first: they declare the parameters, which every
    # function then takes (in declaration order).
    X, DOUT = "%x_0", "%dout_0"   # never a fresh name (_<n>, n >= 1) or a parameter name
    bodies = []
    for l in range(L):
        b._body = []
        out = sublayer(b, l, X)
        if not isinstance(out, str) or not out.startswith("%"):
            raise TypeError("sublayer(b, l, h) must return an SSA name, got %r" % (out,))
        f_body = b._body
        b._body = []
        dh = sublayer_vjp(b, l, X, DOUT)
        if not isinstance(dh, str) or not dh.startswith("%"):
            raise TypeError("sublayer_vjp(b, l, h, dout) must return an SSA name, got %r" % (dh,))
        bodies.append((f_body, out, b._body, dh))
    params = [Argument(n, s_, t) for n, (s_, t) in b._params.items()]
    ptypes = [tensor_type(a.shape, a.dtype) for a in params]
    pargs = "".join(", %%%s: %s" % (a.name, t) for a, t in zip(params, ptypes))
    pnames = "".join(", %" + a.name for a in params)
    prologue = ["    %zero = arith.constant 0.0 : f32"]
    if tokens is None:
        prologue += ["    %c0 = arith.constant 0 : index",
                     "    %%tokens = tensor.dim %s, %%c0 : %s" % (X, ht)]
    lines = ["module {"]
    for l, (f_body, out, v_body, dh) in enumerate(bodies):
        sub = "@%s_sublayer_%d" % (name, l)
        lines += ["  func.func private %s(%s: %s%s) -> %s attributes {attnres.vjp = %s_vjp} {"
                  % (sub, X, ht, pargs, ht, sub)]
        lines += prologue + f_body + ["    return %s : %s" % (out, ht), "  }"]
        zeros = []
        for a, t in zip(params, ptypes):
            z = "%%zero_%s_0" % a.name
            zeros.append(z)
            v_body = v_body + ["    %s = arith.constant dense<0.0> : %s" % (z, t)]
        lines += ["  func.func private %s_vjp(%s: %s%s, %s: %s) -> (%s) {"
                  % (sub, X, ht, pargs, DOUT, ht, ", ".join([ht] + ptypes))]
        lines += prologue + v_body
        lines += ["    return %s : %s" % (", ".join([dh] + zeros), ", ".join([ht] + ptypes)),
                  "  }"]

    # The forward model: Block AttnRes (attnres-math.md §3), the state
    # machine of builders.block_attnres, with the sublayers as calls.
    b._body = []
    b.comment("forward: Block AttnRes, %d sublayers, block size %d" % (L, S))

    def call_sublayer(b, l, h):
        out = b.fresh("f")
        b.emit("%s = func.call @%s_sublayer_%d(%s%s) : (%s) -> %s"
               % (out, name, l, h, pnames, ", ".join([ht] + ptypes), ht))
        return out
    y = _block_model(b, call_sublayer, S, output_site=True, two_phase=False,
                     running_sums=False, chunks=None, dynamic_query=False, epilogue=None)[0]
    fwd = "%s_forward" % name
    lines += ["  func.func @%s(%%emb: %s, %%queries: %s%s) -> %s {"
              % (fwd, ht, qq, pargs, ht)]
    if tokens is None:
        lines += ["    %c0 = arith.constant 0 : index",
                  "    %%tokens = tensor.dim %%emb, %%c0 : %s" % ht]
    lines += b._body + ["    return %s : %s" % (y, ht), "  }", "}"]

    # The backward, built by the compiler.
    module = Module.parse("\n".join(lines) + "\n", name="<block_attnres_grad>")
    # inline: the sublayer calls return fresh buffers, which attnres-plan-buffers
    # cannot plan (docs/pipelines.md, attnres-build-backward).
    module.run_pipeline("builtin.module(attnres-build-backward{functions=%s},inline)" % fwd)
    grads = ", ".join([ht, qq] + ptypes)
    wrapper = [
        "  func.func @%s(%%emb: %s, %%queries: %s, %%dy: %s%s) -> (%s, %s) {"
        % (name, ht, qq, ht, pargs, ht, qq),
        "    %%g:%d = func.call @%s_backward(%%emb, %%queries%s, %%dy) : (%s) -> (%s)"
        % (2 + len(params), fwd, pnames, ", ".join([ht, qq] + ptypes + [ht]), grads),
        "    return %%g#0, %%g#1 : %s, %s" % (ht, qq),
        "  }",
    ]
    text = str(module).rstrip()
    if not text.endswith("}"):
        raise AssertionError("unexpected module text from attnres-build-backward")
    text = text[:-1].rstrip() + "\n" + "\n".join(wrapper) + "\n}\n"
    args = [Argument("emb", list(b.hidden_shape), "f32"), Argument("queries", [L + 1, d], "f32"),
            Argument("dy", list(b.hidden_shape), "f32")] + params
    results = [Argument("d_emb", list(b.hidden_shape), "f32"),
               Argument("d_queries", [L + 1, d], "f32")]
    return Model(text, name, args, results)
