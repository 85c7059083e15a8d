// attnres-to-nvvm's stage order (docs/pipelines.md): the kernel ops survive
// one-shot-bufferize in their memref form, deallocation runs, and only then
// convert-attnres-to-gpu lowers them on the buffers: the kernel writes the
// buffer the function returns (no temporary, no copy). An op whose buffers the kernels do not take
// (here a view at a dynamic offset: alignment unknown) becomes linalg on
// buffers, its temporaries freed right after it, then GPU loops. Memref
// input (a host that bufferized already) takes the same path.
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa" --mlir-print-ir-before=attnres-gpu-finalize-kernels --mlir-disable-threading -o /dev/null 2>&1 | FileCheck %s
// RUN: attnres-opt %s --attnres-to-nvvm="format=isa" -o /dev/null

// CHECK-LABEL: func.func @site(
// CHECK: %[[OUT:.*]] = memref.alloc(%{{.*}}) {{.*}} : memref<?x256xf32>
// CHECK-NOT: memref.alloc
// CHECK: gpu.launch
// CHECK: vector.store %{{.*}}, %[[OUT]]
// CHECK: gpu.terminator
// CHECK-NOT: memref.copy
// CHECK: return %[[OUT]]
func.func @site(%q: tensor<256xf32>, %v0: tensor<?x256xf32>, %v1: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<256xf32>, tensor<?x256xf32> -> tensor<?x256xf32>
  return %h : tensor<?x256xf32>
}

// CHECK-LABEL: func.func @memref_site(
// CHECK-SAME: %[[O:[^:]*]]: memref<4x256xf32>)
// CHECK-NOT: memref.alloc
// CHECK: gpu.launch
// CHECK: vector.store %{{.*}}, %[[O]]
func.func @memref_site(%q: memref<256xf32>, %v0: memref<4x256xf32>, %v1: memref<4x256xf32>, %out: memref<4x256xf32>) {
  attnres.depth_attn %q, [%v0, %v1] outs(%out : memref<4x256xf32>) : memref<256xf32>, memref<4x256xf32>
  return
}

// CHECK-LABEL: func.func @fallback(
// CHECK-NOT: attnres.
// CHECK-NOT: vector.load
// CHECK: memref.alloc
// CHECK: gpu.launch
// CHECK: memref.dealloc
// CHECK: return
func.func @fallback(%q: memref<256xf32>, %v0: memref<4x256xf32, strided<[256, 1], offset: ?>>, %out: memref<4x256xf32>) {
  attnres.depth_attn %q, [%v0, %v0] outs(%out : memref<4x256xf32>) : memref<256xf32>, memref<4x256xf32, strided<[256, 1], offset: ?>>
  return
}
