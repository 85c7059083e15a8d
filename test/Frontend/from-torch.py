# REQUIRES: torch-mlir
# RUN: %torch_python %s | FileCheck %s
#
# End to end from PyTorch: attnres.from_torch exports modules with torch-mlir's
# FX importer, raises their AttnRes sites, compiles them for the CPU and runs
# them on fresh inputs (not the export's example inputs), against PyTorch's own
# output of the same module: eager float32, and float64 (tolerances below).
# The modules come from scripts/torch_corpus.py (the corpus generator).

import os
import sys

import numpy as np
import torch

import attnres

sys.path.insert(0, os.path.join(os.environ.get("ATTNRES_SRC_ROOT", ""), "scripts"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "scripts"))
import torch_corpus as tc  # noqa: E402

torch.manual_seed(0)


def check(name, module, example, calls, sites, tol, dynamic_shapes=None, bf16=False):
    if bf16:
        module = module.to(torch.bfloat16)
        example = [a.to(torch.bfloat16) for a in example]
    model = attnres.from_torch(module, *example, dynamic_shapes=dynamic_shapes)
    assert model.sites == sites, (name, model.sites, sites)
    assert "attnres.depth_attn" in model.ir and "attnres" not in model.frontend_ir
    run = model.compile()
    worst = 0.0
    for args in calls:
        if bf16:
            args = [a.to(torch.bfloat16) for a in args]
        y = run(*args)
        assert isinstance(y, torch.Tensor) and y.dtype == args[0].dtype, (name, type(y))
        with torch.no_grad():
            ref = module.double()(*[a.double() for a in args])
            module.to(torch.bfloat16 if bf16 else torch.float32)
        scale = max(1.0, ref.abs().max().item())
        err = (y.double() - ref).abs().max().item() / scale
        worst = max(worst, err)
        assert err <= tol, (name, err, tol)
    print("%s: %d sites raised, %d calls, max error %.1e <= %.0e" % (
        name, model.sites, len(calls), worst, tol))


D, T = tc.D, tc.T
srcs = lambda n, *shape: [torch.randn(*shape) * (1 + j) for j in range(n)]

# One site, stack + RMSNorm module + einsum; f32 and bf16.
check("site-f32", tc.Site(4, norm="module"), srcs(4, T, D),
      [srcs(4, T, D), srcs(4, T, D)], 1, 1e-5)
check("site-bf16", tc.Site(4, norm="module"), srcs(4, T, D),
      [srcs(4, T, D)], 1, 2e-2, bf16=True)
# Kimi-K3 style cat along axis 1, softmax(-1), with batch dims.
check("site-cat1", tc.Site(3, src="cat1", logit="mulsum", comb="mulsum"),
      srcs(3, 2, T, D), [srcs(3, 2, T, D)], 1, 1e-5)
# A dynamic token dimension: called with other token counts than the example's.
tok = torch.export.Dim("tokens", min=2, max=4096)
check("site-dynamic", tc.Site(3), srcs(3, T, D),
      [srcs(3, 7, D), srcs(3, 64, D), srcs(3, 2, D)], 1, 1e-5,
      dynamic_shapes=(({0: tok}, {0: tok}, {0: tok}),))
# Peaked softmax (logit gaps of hundreds) and a flat one (zero query).
check("site-peaked", tc.Site(3, qscale=300.0), srcs(3, T, D), [srcs(3, T, D)], 1, 1e-5)
check("site-flat", tc.Site(3, qscale=0.0), srcs(3, T, D), [srcs(3, T, D)], 1, 1e-5)
# Whole models with attention and MLP sublayers: Full (block size 1) and Block.
for layers, block in ((4, 1), (8, 2)):
    check("model-L%d-S%d" % (layers, block), tc.Model(layers, block),
          [torch.randn(2, T, D)], [[torch.randn(2, T, D)], [torch.randn(2, T, D)]],
          tc.model_sites(layers, block), 1e-5)

# target="nvvm" compiles the same raised model for NVIDIA GPUs (no GPU needed).
if attnres.is_pipeline_registered("attnres-to-nvvm"):
    binary = attnres.from_torch(tc.Model(4, 2), torch.randn(2, T, D)).compile(target="nvvm")
    assert isinstance(binary, attnres.GPUBinary) and binary.objects
    print("nvvm: compiled")
else:
    print("nvvm: compiled (pipeline not registered in this build, skipped)")

# CHECK: site-f32: 1 sites raised
# CHECK: site-bf16: 1 sites raised
# CHECK: site-cat1: 1 sites raised
# CHECK: site-dynamic: 1 sites raised, 3 calls
# CHECK: site-peaked: 1 sites raised
# CHECK: site-flat: 1 sites raised
# CHECK: model-L4-S1: 4 sites raised
# CHECK: model-L8-S2: 8 sites raised
# CHECK: nvvm: compiled
