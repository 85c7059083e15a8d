# RUN: %python %s | FileCheck %s
#
# attnres.Module: parse, verify, print, round trip (custom and generic form),
# gpu.binary objects, and attnres.Error with the located diagnostic text for
# bad IR.

import attnres

SITE = """
func.func @site(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] {eps = 1.0e-06 : f32}
      : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  %b = attnres.block_summary [%v0, %h] : tensor<8x64xf32>
  %n = attnres.rms_norm %b, %q : tensor<8x64xf32>, tensor<64xf32>
  return %n : tensor<8x64xf32>
}
"""

m = attnres.Module.parse(SITE)
m.verify()
text = str(m)
print(text)
# CHECK-LABEL: func.func @site
# CHECK: attnres.depth_attn %{{.*}}, [%{{.*}}, %{{.*}}] {eps = 9.99999997E-7 : f32} : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
# CHECK: attnres.block_summary
# CHECK: attnres.rms_norm

# Round trips: custom -> custom is a fixed point; generic form reparses to
# the same module.
assert str(attnres.Module.parse(text)) == text
generic = m.to_string(generic=True)
assert '"attnres.depth_attn"' in generic
assert str(attnres.Module.parse(generic)) == text
print("round trip ok")
# CHECK: round trip ok

# Parse errors: attnres.Error with file:line:col and the quoted line.
try:
    attnres.Module.parse("func.func @f() {\n  %x = attnres.nope\n}\n", name="model.mlir")
    raise AssertionError("expected attnres.Error")
except attnres.Error as e:
    print("parse error:", e)
# CHECK: parse error: model.mlir:2:8: error: custom op 'attnres.nope' is unknown
# CHECK-NEXT: %x = attnres.nope
# CHECK-NEXT: ^

# Verifier errors at parse time, and from verify() when parsing without it.
BAD = """func.func @bad(%q: tensor<32xf32>, %v: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %h = attnres.depth_attn %q, [%v] : tensor<32xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}
"""
try:
    attnres.Module.parse(BAD)
    raise AssertionError("expected attnres.Error")
except attnres.Error as e:
    print("verify at parse:", e)
# CHECK: verify at parse: <input>:2:8: error: 'attnres.depth_attn' op expects dimension 0 of query to equal dimension 1 of source #0 (hidden size), got 32 in 'tensor<32xf32>' and 64 in 'tensor<8x64xf32>'

unverified = attnres.Module.parse(BAD, verify=False)
try:
    unverified.verify()
    raise AssertionError("expected attnres.Error")
except attnres.Error as e:
    print("verify():", str(e).splitlines()[0])
# CHECK: verify(): <input>:2:8: error: 'attnres.depth_attn' op expects dimension 0 of query to equal dimension 1 of source #0 (hidden size), got 32 in 'tensor<32xf32>' and 64 in 'tensor<8x64xf32>'
# Passes never run on unverified IR.
try:
    unverified.run_pipeline("canonicalize")
    raise AssertionError("expected attnres.Error")
except attnres.Error as e:
    print("pipeline on invalid IR:", str(e).splitlines()[0])
# CHECK: pipeline on invalid IR: <input>:2:8: error: 'attnres.depth_attn' op expects dimension 0 of query to equal dimension 1 of source #0 (hidden size)

# Error is an Exception subclass exported at the package level.
assert issubclass(attnres.Error, Exception) and attnres.Error.__module__ == "attnres"

# Not text: TypeError from the binding layer, never a crash.
for bad in [None, 42, ["func.func"]]:
    try:
        attnres.Module.parse(bad)
        raise AssertionError("expected TypeError")
    except TypeError:
        pass
# Empty text is an empty module.
assert str(attnres.Module.parse("")).strip() == "module {\n}"

# gpu.binary objects come back as bytes with their format and target.
GPU = r"""
module attributes {gpu.container_module} {
  gpu.binary @kernels [#gpu.object<#nvvm.target<chip = "sm_90">, assembly = ".version 8.0\0A.target sm_90\0A">]
  gpu.binary @blob [#gpu.object<#nvvm.target<chip = "sm_80">, bin = "\00\01\02">]
}
"""
for obj in attnres.Module.parse(GPU).gpu_objects():
    print("object", obj["module"], obj["format"], obj["target"], obj["data"])
# CHECK: object kernels assembly #nvvm.target<chip = "sm_90"> b'.version 8.0\n.target sm_90\n'
# CHECK: object blob bin #nvvm.target<chip = "sm_80"> b'\x00\x01\x02'
print("done")
# CHECK: done
