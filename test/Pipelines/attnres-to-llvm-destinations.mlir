// attnres-to-llvm keeps the forward ops through bufferization and runs their
// kernels on the memref form: an op with destinations (outs) in the value
// form survives one-shot-bufferize as its memref form writing the
// destinations' buffers (in place for an in-place destination), and gets the
// vectorized kernel (vector loads of the sources), not linalg loops. The
// results of such programs match numpy in test/Integration/CPU/one-shot-bufferize.mlir.
// RUN: attnres-opt %s --attnres-to-llvm -mlir-print-ir-after=one-shot-bufferize -o /dev/null 2>&1 | FileCheck %s --check-prefix=BUFFERS
// RUN: attnres-opt %s --attnres-to-llvm | FileCheck %s
// RUN: attnres-opt %s --attnres-to-llvm=fast-kernels=false | FileCheck %s --check-prefix=LOOPS

// BUFFERS-LABEL: func.func @site_outs(
// BUFFERS:         %[[OUT:.*]] = memref.alloc() {{.*}} : memref<8x64xf32>
// BUFFERS:         attnres.depth_attn %{{.*}} outs(%[[OUT]] : memref<8x64xf32>)
// BUFFERS-LABEL: func.func @merge_in_place(
// BUFFERS-SAME:    %[[O:[^:]*]]: memref<8x64xf32>
// BUFFERS:         attnres.depth_attn_merge %{{.*}} outs(%[[O]] : memref<8x64xf32>)

// CHECK-LABEL: llvm.func @site_outs(
// CHECK:         llvm.load %{{.*}} : !llvm.ptr -> vector<16xf32>
// CHECK-LABEL: llvm.func @merge_in_place(
// CHECK:         llvm.load %{{.*}} : !llvm.ptr -> vector<16xf32>
// LOOPS-LABEL: llvm.func @site_outs(
// LOOPS-NOT:     vector<
// LOOPS-LABEL: llvm.func @merge_in_place(
// LOOPS-NOT:     vector<
func.func @site_outs(%q: tensor<64xf32>, %v0: tensor<8x64xf32>, %v1: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %e = tensor.empty() : tensor<8x64xf32>
  %h = attnres.depth_attn %q, [%v0, %v1] outs(%e : tensor<8x64xf32>) : tensor<64xf32>, tensor<8x64xf32> -> tensor<8x64xf32>
  return %h : tensor<8x64xf32>
}

func.func @merge_in_place(%o: tensor<8x64xf32>, %lse: tensor<8xf32>, %q: tensor<64xf32>, %u: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %m = attnres.depth_attn_merge %o, %lse, %q, %u outs(%o : tensor<8x64xf32>) : tensor<8x64xf32>, tensor<8xf32>, tensor<64xf32>, tensor<8x64xf32>
  return %m : tensor<8x64xf32>
}

// A destination-passing site with a dynamic token count (how the Python
// package and the benchmarks call the kernels): attnres-add-destinations
// gives the op a tensor.empty destination, eliminate-empty-tensors replaces
// it by the caller's buffer, and the kernel writes there: no allocation, no
// copy.
// CHECK-LABEL: llvm.func @into_buffer_dynamic(
// CHECK-NOT:     @malloc
// CHECK-NOT:     memcpy
// CHECK:         llvm.load %{{.*}} : !llvm.ptr -> vector<16xf32>
// CHECK-NOT:     @malloc
// CHECK-NOT:     memcpy
func.func @into_buffer_dynamic(%q: memref<64xf32>, %v0: memref<?x64xf32>, %v1: memref<?x64xf32>, %out: memref<?x64xf32>) {
  %qt = bufferization.to_tensor %q restrict : memref<64xf32> to tensor<64xf32>
  %t0 = bufferization.to_tensor %v0 restrict : memref<?x64xf32> to tensor<?x64xf32>
  %t1 = bufferization.to_tensor %v1 restrict : memref<?x64xf32> to tensor<?x64xf32>
  %h = attnres.depth_attn %qt, [%t0, %t1] : tensor<64xf32>, tensor<?x64xf32> -> tensor<?x64xf32>
  bufferization.materialize_in_destination %h in restrict writable %out : (tensor<?x64xf32>, memref<?x64xf32>) -> ()
  return
}
