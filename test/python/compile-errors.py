# RUN: %python %s | FileCheck %s
#
# attnres.compile failures: every one is an exception (attnres.Error with the
# located diagnostics for IR problems, ValueError/TypeError for bad
# arguments), never a crash.

import attnres

OK = """func.func @site(%q: tensor<8xf32>, %v: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %h = attnres.depth_attn %q, [%v, %v] : tensor<8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h : tensor<4x8xf32>
}
func.func private @decl(tensor<4xf32>) -> tensor<4xf32>
func.func @scalar(%x: f32) -> f32 {
  return %x : f32
}
func.func @unranked(%x: tensor<*xf32>) -> tensor<*xf32> {
  return %x : tensor<*xf32>
}
"""


def expect(exc, *args, **kwargs):
    try:
        attnres.compile(*args, **kwargs)
    except exc as e:
        print("%s: %s" % (type(e).__name__, str(e).splitlines()[0]))
        return str(e)
    raise AssertionError("expected %s" % exc.__name__)


expect(attnres.Error, "func.func @f( {", "f")
# CHECK: Error: <input>:1:14: error: expected non-function type
expect(attnres.Error, OK, "nope")
# CHECK: Error: no func.func named @nope in the module; functions: @site, @scalar, @unranked
expect(attnres.Error, OK, "decl")
# CHECK: Error: entry function @decl is a declaration without a body
expect(attnres.Error, OK, "scalar")
# CHECK: Error: <input>:6:1: error: argument #0 of @scalar has type 'f32'; compile() supports ranked tensors or identity-layout memrefs
expect(attnres.Error, OK, "unranked")
# CHECK: Error: <input>:9:1: error: argument #0 of @unranked has type 'tensor<*xf32>'
expect(ValueError, OK, "site", target="tpu")
# CHECK: ValueError: target must be one of cpu, nvvm, got 'tpu'
expect(ValueError, OK, "site", options="bogus=1")
# CHECK: ValueError: invalid attnres-to-llvm options 'bogus=1': <Pass-Options-Parser>: no such option bogus
expect(ValueError, OK, "site", options="index-bitwidth=32")
# CHECK: ValueError: compile() needs 64-bit indices at the function boundary; got index-bitwidth=32
expect(TypeError, 42, "site")
# CHECK: TypeError: ir_text must be MLIR text (str) or an attnres.Module, got int
expect(TypeError, OK, None)
# CHECK: TypeError: entry must be a function name (str), got None

# The pipeline fails inside: located text from the failing pass.
DYN = """func.func @dyn(%q: tensor<?xf32>, %v: tensor<8x?xf32>) -> tensor<8x?xf32> {
  %h = attnres.depth_attn %q, [%v, %v] : tensor<?xf32>, tensor<8x?xf32> -> tensor<8x?xf32>
  return %h : tensor<8x?xf32>
}
"""
message = expect(attnres.Error, DYN, "dyn")
# CHECK: Error: <input>:2:8: error: 'attnres.depth_attn' op cannot be lowered: the hidden (last) dimension of 'tensor<8x?xf32>' must be static
assert "%h = attnres.depth_attn" in message  # the quoted source line

# Only the entry and its callees are compiled: @unranked (which would need
# other runtime functions) does not get in the way. A Module compiles like its
# text.
m = attnres.Module.parse(OK)
assert attnres.compile(m, "site").entry == "site"

# target="nvvm" without the attnres-to-nvvm pipeline: a clear attnres.Error.
if not attnres.is_pipeline_registered("attnres-to-nvvm"):
    expect(attnres.Error, OK, "site", target="nvvm")
else:
    print("Error: target 'nvvm' needs the 'attnres-to-nvvm' pass pipeline (registered here)")
# CHECK: Error: target 'nvvm' needs the 'attnres-to-nvvm' pass pipeline
print("done")
# CHECK: done
