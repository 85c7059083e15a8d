"""Test-side float64 reference for the Python tests, written from
attnres-math.md (§1 site, §2 Full, §3 Block) independently of the package
(it does not import attnres, and does not share code with
attnres.reference or scripts/attnres_gen.py).

Sources are stacked on a leading axis and reduced with einsum; the Block
AttnRes state machine is written with explicit block lists.
"""

import numpy as np


def site(sources, q, eps):
    """h = Σ_j softmax_j(ρ_j · (q·V_j)) V_j, per token row."""
    V = np.stack([np.asarray(v, np.float64) for v in sources])   # [n, T..., d]
    q = np.asarray(q, np.float64)
    rho = (np.mean(V ** 2, axis=-1) + eps) ** -0.5                # [n, T...]
    s = rho * np.einsum("n...d,d->n...", V, q)                    # logits
    a = np.exp(s - s.max(axis=0, keepdims=True))
    a /= a.sum(axis=0, keepdims=True)                             # softmax over sources
    return np.einsum("n...,n...d->...d", a, V)


def rms_norm(x, gain, eps):
    x = np.asarray(x, np.float64)
    return x / np.sqrt(np.mean(x ** 2, axis=-1, keepdims=True) + eps) * np.asarray(gain, np.float64)


def tanh_sublayer(W, g, eps):
    """f_l(h) = tanh(rms_norm(h, g_l) @ W_l)."""
    return lambda l, h: np.tanh(rms_norm(h, g[l], eps) @ np.asarray(W[l], np.float64))


def block_model(emb, queries, f, S, eps, output_site=True, round_state=None):
    """Math §3 with block size S (S=1: Full AttnRes). queries[l] for
    sublayer l, queries[L] for the output site. Without the output site:
    the list [b_0, ..., b_{N-1}, partial]. `round_state` models storing the
    hidden states in a narrow element type (applied to sublayer outputs,
    partial sums and site results)."""
    rnd = round_state or (lambda x: x)
    L = len(queries) - (1 if output_site else 0)
    completed = [np.asarray(emb, np.float64)]
    block_outputs = []
    for l in range(L):
        if l > 0 and l % S == 0:
            completed.append(rnd(sum(block_outputs)))
            block_outputs = []
        srcs = completed + ([rnd(sum(block_outputs))] if block_outputs else [])
        h = srcs[0] if len(srcs) == 1 else rnd(site(srcs, queries[l], eps))
        block_outputs.append(rnd(f(l, h)))
    final = completed + [rnd(sum(block_outputs))]
    if not output_site:
        return final
    return site(final, queries[L], eps)


def full_model(emb, queries, f, eps, output_site=True):
    """Math §2: sublayer l sees [v_0 = emb, v_1, ..., v_l]."""
    L = len(queries) - (1 if output_site else 0)
    v = [np.asarray(emb, np.float64)]
    for l in range(L):
        h = v[0] if l == 0 else site(v, queries[l], eps)
        v.append(np.asarray(f(l, h), np.float64))
    return site(v, queries[L], eps) if output_site else v


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
