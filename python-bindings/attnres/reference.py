"""float64 numpy reference of Attention Residuals (attnres-math.md §1-3).

Written from the paper's equations, not from the compiler: use it to check
compiled models and sites. Arrays are [tokens..., d]; queries are the folded
q = γ ⊙ w the `depth_attn` op takes.

The one numpy reference of the project: the package's users, the test
generators (scripts/attnres_gen.py, attnres_grad_gen.py), the Python tests
(test/python/Inputs/ref64.py) and the benchmarks all check against it. It
needs only numpy (no compiler code, no native module): the generators, tests
and benchmarks load it from the source tree, as they load `attnres.ir`.
"""

import numpy as np

#: The epsilon of `attnres.depth_attn` and `attnres.rms_norm` by default.
DEFAULT_EPS = 1e-5


def inv_rms(v, eps=DEFAULT_EPS):
    """ρ[t] = ((1/d) Σ_c v[t,c]² + ε)^(-1/2), the inverse RMS of each row."""
    v = np.asarray(v, dtype=np.float64)
    return 1.0 / np.sqrt(np.mean(v * v, axis=-1) + eps)


def rms_norm(x, gain, eps=DEFAULT_EPS):
    """y[t,c] = x[t,c] · ρ[t] · γ[c]."""
    x = np.asarray(x, dtype=np.float64)
    return x * inv_rms(x, eps)[..., None] * np.asarray(gain, dtype=np.float64)


def site(sources, q, eps=DEFAULT_EPS):
    """One AttnRes site (math §1): s_j = ρ(V_j)·(q·V_j), α = softmax_j(s),
    h = Σ_j α_j V_j over the list `sources`."""
    V = [np.asarray(v, dtype=np.float64) for v in sources]
    q = np.asarray(q, dtype=np.float64)
    s = np.stack([inv_rms(v, eps) * (v @ q) for v in V])
    e = np.exp(s - s.max(axis=0))
    alpha = e / e.sum(axis=0)
    return sum(alpha[j][..., None] * v for j, v in enumerate(V))


def block_attnres(emb, queries, sublayer, block_size, eps=DEFAULT_EPS,
                  output_site=True, round_state=None):
    """Block AttnRes (math §3) with `len(queries) - 1` sublayers (or
    `len(queries)` without the output site). `sublayer(l, h)` computes f_l(h)
    (0-based l); `queries[l]` is sublayer l's query (row 0 is never read: the
    first sublayer has one source) and `queries[-1]` the output site's.
    Returns the model output, or without the output site the list of its
    sources [b_0, ..., b_{N-1}, partial]. `round_state(x)` (optional) models
    hidden states stored in a narrow element type: it rounds every sublayer
    output, every partial sum (the sum of the block's rounded outputs,
    rounded once) and every site result."""
    rnd = round_state or (lambda x: x)
    queries = np.asarray(queries, dtype=np.float64)
    layers = len(queries) - (1 if output_site else 0)
    blocks = [np.asarray(emb, dtype=np.float64)]
    outs = []  # the current block's sublayer outputs

    def partial():
        return outs[0] if len(outs) == 1 else rnd(sum(outs))
    for l in range(layers):
        if l > 0 and l % block_size == 0:
            blocks.append(partial())
            outs = []
        src = blocks + ([partial()] if outs else [])
        h = src[0] if len(src) == 1 else rnd(site(src, queries[l], eps))
        outs.append(rnd(np.asarray(sublayer(l, h), dtype=np.float64)))
    if not output_site:
        return blocks + [partial()]
    return site(blocks + [partial()], queries[layers], eps)


def full_attnres(emb, queries, sublayer, eps=DEFAULT_EPS, output_site=True):
    """Full AttnRes (math §2): sublayer l attends over [v_0 = emb, v_1, ...,
    v_l] (raw outputs). Same conventions as `block_attnres`; without the
    output site returns [v_0, ..., v_L]."""
    queries = np.asarray(queries, dtype=np.float64)
    layers = len(queries) - (1 if output_site else 0)
    v = [np.asarray(emb, dtype=np.float64)]
    for l in range(layers):
        h = v[0] if len(v) == 1 else site(v, queries[l], eps)
        v.append(np.asarray(sublayer(l, h), dtype=np.float64))
    if not output_site:
        return v
    return site(v, queries[layers], eps)


def tanh_rms_norm_matmul(W, g, eps=DEFAULT_EPS):
    """The reference of the built-in sublayer: f_l(h) = tanh(rms_norm(h, g_l)
    @ W_l), as a `sublayer(l, h)` function."""
    W = np.asarray(W, dtype=np.float64)
    g = np.asarray(g, dtype=np.float64)
    return lambda l, h: np.tanh(rms_norm(h, g[l], eps) @ W[l])
