# RUN: %python %s | FileCheck %s
#
# Module.run_pipeline: registered passes and pipelines in textual syntax
# (anchored on builtin.module or not), and every failure as attnres.Error
# with the located diagnostic text.

import attnres

CHAIN = """
func.func @chain(%v0: tensor<4x8xf32>, %v1: tensor<4x8xf32>, %w: tensor<8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  %k0 = attnres.rms_norm %v0, %g {eps = 1.0e-06 : f32} : tensor<4x8xf32>, tensor<8xf32>
  %k1 = attnres.rms_norm %v1, %g {eps = 1.0e-06 : f32} : tensor<4x8xf32>, tensor<8xf32>
  %s = attnres.depth_logits %w, [%k0, %k1] : tensor<8xf32>, tensor<4x8xf32> -> tensor<2x4xf32>
  %a = attnres.depth_softmax %s : tensor<2x4xf32>
  %h = attnres.depth_combine %a, [%v0, %v1] : tensor<2x4xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h : tensor<4x8xf32>
}
"""

assert attnres.is_pipeline_registered("attnres-to-llvm")
assert attnres.is_pass_registered("attnres-fuse")
assert not attnres.is_pass_registered("attnres-nope")

# Anchored pipeline: the unfused chain becomes one depth_attn.
m = attnres.Module.parse(CHAIN)
m.run_pipeline("builtin.module(func.func(attnres-fuse))")
print(m)
# CHECK-LABEL: func.func @chain
# CHECK: attnres.depth_attn
# CHECK-NOT: attnres.depth_logits
# CHECK: return

# The same pass nested without the anchor, plus upstream passes.
m = attnres.Module.parse(CHAIN)
m.run_pipeline("func.func(attnres-fuse),canonicalize,cse")
assert "attnres.depth_attn" in str(m) and "depth_logits" not in str(m)

# A registered pipeline by name, with options: only the LLVM dialect is left.
m = attnres.Module.parse(CHAIN)
m.run_pipeline("attnres-to-llvm{fast-kernels=false parallel=false}")
text = str(m)
assert "attnres." not in text and "linalg." not in text and "memref." not in text, text
print(text)
# CHECK: llvm.func @chain(

# Errors: an unknown pass, with the position in the pipeline text.
m = attnres.Module.parse(CHAIN)
for spec in ["attnres-nope", "builtin.module(func.func(attnres-fuse)", "attnres-to-llvm{bogus=1}"]:
    try:
        m.run_pipeline(spec)
        raise AssertionError("expected attnres.Error for %r" % spec)
    except attnres.Error as e:
        print("bad spec:", str(e).splitlines()[0])
# CHECK: bad spec: invalid pass pipeline 'attnres-nope': MLIR Textual PassPipeline Parser:1:1: error: 'attnres-nope' does not refer to a registered pass or pass pipeline
# CHECK: bad spec: invalid pass pipeline 'builtin.module(func.func(attnres-fuse)': {{.*}}error: encountered unbalanced parentheses
# CHECK: bad spec: invalid pass pipeline 'attnres-to-llvm{bogus=1}': attnres-to-llvm: <Pass-Options-Parser>: no such option bogus
# The module is untouched by specs that do not parse.
assert "attnres.depth_logits" in str(m)

# A failing pass: the diagnostic is located in the input and quotes it.
DYNAMIC_HIDDEN = """func.func @dyn(%q: tensor<?xf32>, %v: tensor<8x?xf32>) -> tensor<8x?xf32> {
  %h = attnres.depth_attn %q, [%v, %v] : tensor<?xf32>, tensor<8x?xf32> -> tensor<8x?xf32>
  return %h : tensor<8x?xf32>
}
"""
m = attnres.Module.parse(DYNAMIC_HIDDEN, name="dyn.mlir")
try:
    m.run_pipeline("builtin.module(func.func(convert-attnres-to-linalg))")
    raise AssertionError("expected attnres.Error")
except attnres.Error as e:
    print("pass failure:", e)
# CHECK: pass failure: dyn.mlir:2:8: error: 'attnres.depth_attn' op cannot be lowered: the hidden (last) dimension of 'tensor<8x?xf32>' must be static
# CHECK-NEXT: %h = attnres.depth_attn
# CHECK-NEXT: ^

# A bad option value is rejected when the pipeline is parsed, before anything
# runs (llvm::cl prints the allowed values to stderr).
m = attnres.Module.parse(CHAIN)
try:
    m.run_pipeline("attnres-to-llvm{two-phase=sometimes}")
    raise AssertionError("expected attnres.Error")
except attnres.Error as e:
    print("bad option:", str(e).splitlines()[0])
# CHECK: bad option: invalid pass pipeline 'attnres-to-llvm{two-phase=sometimes}': failed to add `attnres-to-llvm` with options `two-phase=sometimes`

# The attnres passes are op-agnostic: at module level they work on each
# function of the module (no nesting needed).
m = attnres.Module.parse(CHAIN)
m.run_pipeline("attnres-fuse")
print("fused at module level:", "attnres.depth_attn" in str(m), "attnres.depth_combine" in str(m))
# CHECK: fused at module level: True False
# A pass restricted to another op is still an error, not a crash.
try:
    attnres.Module.parse(CHAIN).run_pipeline("builtin.module(func.func(attnres-convert-mpi-to-llvm))")
    raise AssertionError("expected attnres.Error")
except attnres.Error as e:
    print("unschedulable:", str(e).splitlines()[0])
# CHECK: unschedulable: {{.*}}Can't add pass 'AttnResConvertMPIToLLVMPass' restricted to 'builtin.module' on a PassManager intended to run on 'func.func'

for spec in ["", "   "]:
    try:
        attnres.Module.parse(CHAIN).run_pipeline(spec)
        raise AssertionError("expected ValueError")
    except ValueError:
        pass
print("done")
# CHECK: done
