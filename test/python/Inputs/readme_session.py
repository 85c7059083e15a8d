import numpy as np
import attnres
from attnres import reference

L, S, D, T = 8, 4, 64, 16          # sublayers, block size, hidden size, tokens
model = attnres.block_attnres(layers=L, block_size=S, d=D, tokens=T)
print(repr(model))
run = attnres.compile(model.ir, model.entry)   # attnres-to-llvm + JIT for this CPU

rng = np.random.default_rng(0)
emb = rng.standard_normal((T, D)).astype(np.float32)
queries = rng.standard_normal((L + 1, D)).astype(np.float32)  # row l: sublayer l, row L: output site
W = (rng.standard_normal((L, D, D)) / np.sqrt(D)).astype(np.float32)
g = (1 + 0.1 * rng.standard_normal((L, D))).astype(np.float32)
y = run(emb, queries, W, g)

# float64 numpy reference of the same model, f_l(h) = tanh(rms_norm(h, g_l) @ W_l)
ref = reference.block_attnres(emb, queries, reference.tanh_rms_norm_matmul(W, g), block_size=S)
print(y.shape, y.dtype, "max |y - ref| < 5e-5:", np.abs(y - ref).max() < 5e-5)
assert np.allclose(y, ref, rtol=5e-5, atol=5e-5)
