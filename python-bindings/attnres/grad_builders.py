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
"""

from .builders import Argument, IRBuilder, Model, _check_eps, _check_positive, \
    _check_tokens, _f32_literal, _NAME, tensor_type, DEFAULT_EPS


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


def _sum(b, values):
    if len(values) == 1:
        return values[0]
    v = b.fresh("gsum")
    b.emit("%s = attnres.block_summary [%s] : %s" % (v, ", ".join(values), b.hidden_type))
    return v


def block_attnres_grad(layers, block_size, d, tokens=None, sublayer=None, sublayer_vjp=None,
                       eps=DEFAULT_EPS, name="block_attnres_grad"):
    """The backward of Block AttnRes with an output site (module docstring).

    Function arguments: `emb` [tokens, d], `queries` [layers + 1, d], `dy`
    [tokens, d] (all f32), then the sublayer's parameters. Results: `d_emb`
    [tokens, d] and `d_queries` [layers + 1, d] (rows of sites with a single
    source, whose query has no effect, are 0)."""
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
    b.fixed_argument("dy", b.hidden_shape, "f32")
    ht, qt = b.hidden_type, tensor_type([d], "f32")
    eps_attr = "{eps = %s : f32}" % _f32_literal(eps)

    # Forward, recording the leaves (sublayer outputs) of every source.
    b.comment("forward: Block AttnRes, %d sublayers, block size %d" % (L, S))
    vals = {"emb": "%emb"}
    blocks, partial, sites, hs = [["emb"]], None, [], []
    for l in range(L):
        if l > 0 and l % S == 0:
            blocks.append(partial)
            partial = None
        src = blocks + ([partial] if partial is not None else [])
        sites.append(src)
        srcv = [_sum(b, [vals[x] for x in s]) for s in src]
        h = srcv[0] if len(src) == 1 else b.depth_attn(b.layer("%queries", l), srcv)
        hs.append(h)
        out = sublayer(b, l, h)
        if not isinstance(out, str) or not out.startswith("%"):
            raise TypeError("sublayer(b, l, h) must return an SSA name, got %r" % (out,))
        vals["o%d" % l] = out
        partial = ["o%d" % l] if partial is None else partial + ["o%d" % l]
    out_src = blocks + [partial]

    # Reverse sweep.
    grads = {k: [] for k in vals}
    dqs = {}

    def site_back(l, src, grad):
        srcv = [_sum(b, [vals[x] for x in s]) for s in src]
        r = b.fresh("grad")
        b.emit("%s:%d = attnres.depth_attn_grad %s, [%s], %s %s : %s, %s, %s -> %s, %s"
               % (r, len(src) + 1, b.layer("%queries", l), ", ".join(srcv), grad, eps_attr,
                  qt, ht, ht, qt, ht))
        dqs[l] = r + "#0"
        for j, s in enumerate(src):
            for leaf in s:
                grads[leaf].append("%s#%d" % (r, j + 1))

    b.comment("backward: output site")
    site_back(L, out_src, "%dy")
    for l in reversed(range(L)):
        b.comment("backward: sublayer %d" % l)
        dh = sublayer_vjp(b, l, hs[l], _sum(b, grads["o%d" % l]))
        if not isinstance(dh, str) or not dh.startswith("%"):
            raise TypeError("sublayer_vjp(b, l, h, dout) must return an SSA name, got %r" % (dh,))
        if len(sites[l]) == 1:
            for leaf in sites[l][0]:
                grads[leaf].append(dh)
        else:
            site_back(l, sites[l], dh)
    d_emb = _sum(b, grads["emb"])
    # Stack the query gradients into [L + 1, d].
    qq = tensor_type([L + 1, d], "f32")
    e, acc = b.fresh("dq_init"), b.fresh("dq")
    b.emit("%s = tensor.empty() : %s" % (e, qq))
    b.emit("%s = linalg.fill ins(%%zero_dq : f32) outs(%s : %s) -> %s" % (acc, e, qq, qq))
    for l in sorted(dqs):
        nxt = b.fresh("dq")
        b.emit("%s = tensor.insert_slice %s into %s[%d, 0] [1, %d] [1, 1] : %s into %s"
               % (nxt, dqs[l], acc, l, d, qt, qq))
        acc = nxt

    args = [Argument(n, s, t) for n, (s, t) in b._fixed.items()]
    args += [Argument(n, s, t) for n, (s, t) in b._params.items()]
    params = ", ".join("%%%s: %s" % (a.name, tensor_type(a.shape, a.dtype)) for a in args)
    prologue = ["    %zero_dq = arith.constant 0.0 : f32"]
    if tokens is None:
        prologue += ["    %c0 = arith.constant 0 : index",
                     "    %%tokens = tensor.dim %%emb, %%c0 : %s" % ht]
    if b._needs_zero:
        prologue.append("    %zero = arith.constant 0.0 : f32")
    lines = ["module {", "  func.func @%s(%s) -> (%s, %s) {" % (name, params, ht, qq)]
    lines += prologue + b._body
    lines += ["    return %s, %s : %s, %s" % (d_emb, acc, ht, qq), "  }", "}"]
    results = [Argument("d_emb", list(b.hidden_shape), "f32"),
               Argument("d_queries", [L + 1, d], "f32")]
    return Model("\n".join(lines) + "\n", name, args, results)
