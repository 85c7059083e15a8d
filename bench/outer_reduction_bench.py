"""A linalg reduction over the outer (token) dimension, ds[d] = sum_t g[t, d] h[t, d]
(1024 x 4096 f32, the sublayer VJP of bench/train_bench.py's model), compiled with
attnres-to-llvm parallel=true and parallel=false: attnres-serial-outer-reductions keeps the
parallel pipeline from forking once per token. Medians of 7 calls; result checked against float64
numpy (relative error printed). Run: scripts/python.sh bench/outer_reduction_bench.py
"""
import time, numpy as np, attnres
ir = """
#map = affine_map<(d0, d1) -> (d0, d1)>
#mapr = affine_map<(d0, d1) -> (d1)>
func.func @ds(%g: tensor<1024x4096xf32>, %h: tensor<1024x4096xf32>) -> tensor<4096xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4096xf32>
  %init = linalg.fill ins(%z : f32) outs(%e : tensor<4096xf32>) -> tensor<4096xf32>
  %r = linalg.generic {indexing_maps = [#map, #map, #mapr], iterator_types = ["reduction", "parallel"]}
      ins(%g, %h : tensor<1024x4096xf32>, tensor<1024x4096xf32>) outs(%init : tensor<4096xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<4096xf32>
  return %r : tensor<4096xf32>
}
"""
rng = np.random.default_rng(0)
g = rng.standard_normal((1024, 4096), dtype=np.float32); h = rng.standard_normal((1024, 4096), dtype=np.float32)
ref = (g.astype(np.float64) * h).sum(0)
for opts in ["parallel=true", "parallel=false"]:
    f = attnres.compile(ir, "ds", options=opts)
    out = f(g, h)
    err = np.abs(out - ref).max() / np.abs(ref).max()
    ts = []
    for _ in range(7):
        t = time.perf_counter(); f(g, h); ts.append(time.perf_counter() - t)
    print(opts, "median %.2f ms" % (1e3 * sorted(ts)[3]), "rel err %.1e" % err)
