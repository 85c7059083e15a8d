// AttnRes sites handed to IREE (docs/pipelines.md, "Handing off to IREE"):
// attnres-export-linalg, iree-compile for llvm-cpu (text, and bytecode
// version 4), run with iree.runtime, compared with the float64 numpy
// reference of scripts/attnres_gen.py (site: math section 1) at the suite's
// tolerances (|got - ref| <= atol + rtol |ref|; f32: rtol 1e-5, atol 1e-5
// max|V|; bf16: rtol 1e-2, atol 1e-4 max|V|, one final bf16 rounding).
// REQUIRES: iree
// RUN: attnres-opt %s --attnres-export-linalg -o %t.mlir
// RUN: %iree_compile_cpu %t.mlir -o %t.vmfb
// RUN: %iree_python %S/Inputs/iree_check.py %t.vmfb sites | FileCheck %s
// RUN: attnres-opt %s --attnres-export-linalg --emit-bytecode --emit-bytecode-version=4 -o %t.mlirbc
// RUN: %iree_compile_cpu %t.mlirbc -o %t.bc.vmfb
// RUN: %iree_python %S/Inputs/iree_check.py %t.bc.vmfb sites | FileCheck %s
// The comparison can fail: a reference perturbed by 1e-3 relative is caught.
// RUN: not %iree_python %S/Inputs/iree_check.py %t.vmfb sites --perturb 1e-3 | FileCheck %s --check-prefix=PERTURBED

// CHECK-DAG: site_f32 T=6 {{.*}} PASS
// CHECK-DAG: site_bf16 T=6 {{.*}} PASS
// CHECK-DAG: site_dynamic T=1 {{.*}} PASS
// CHECK-DAG: site_dynamic T=7 {{.*}} PASS
// CHECK-DAG: site_dynamic T=33 {{.*}} PASS
// CHECK-NOT: FAIL
// CHECK:     all 5 PASS
// PERTURBED: FAIL

// Five f32 sources, static shapes; llvm.emit_c_interface (what
// attnres-to-llvm users write) is dropped by the export.
func.func @site_f32(%q: tensor<64xf32>, %v0: tensor<6x64xf32>, %v1: tensor<6x64xf32>, %v2: tensor<6x64xf32>, %v3: tensor<6x64xf32>, %v4: tensor<6x64xf32>) -> tensor<6x64xf32> attributes {llvm.emit_c_interface} {
  %h = attnres.depth_attn %q, [%v0, %v1, %v2, %v3, %v4] {eps = 1.0e-06 : f32} : tensor<64xf32>, tensor<6x64xf32> -> tensor<6x64xf32>
  return %h : tensor<6x64xf32>
}

// bf16 sources and result, f32 query.
func.func @site_bf16(%q: tensor<64xf32>, %v0: tensor<6x64xbf16>, %v1: tensor<6x64xbf16>, %v2: tensor<6x64xbf16>, %v3: tensor<6x64xbf16>) -> tensor<6x64xbf16> {
  %h = attnres.depth_attn %q, [%v0, %v1, %v2, %v3] {eps = 1.0e-06 : f32} : tensor<64xf32>, tensor<6x64xbf16> -> tensor<6x64xbf16>
  return %h : tensor<6x64xbf16>
}

// Dynamic token count.
func.func @site_dynamic(%q: tensor<64xf32>, %v0: tensor<?x64xf32>, %v1: tensor<?x64xf32>, %v2: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1, %v2] {eps = 1.0e-06 : f32} : tensor<64xf32>, tensor<?x64xf32> -> tensor<?x64xf32>
  return %h : tensor<?x64xf32>
}

// A declaration of the runner utilities, dropped by the export (IREE rejects
// unranked tensors in native ABI signatures).
func.func private @printMemrefF32(tensor<*xf32>)
