// Failures the stand-in driver injects are reported once, with the error's
// name and code, and end the program with status 1 instead of hanging or
// running on (a timeout in %standin_env fails a hang).
// REQUIRES: cuda-standin, ptxas, clang
// RUN: attnres-opt %s --attnres-to-nvvm > %t.isa.mlir

// cuInit fails: under mlir-runner and in a native executable, whose global
// destructor (mgpuModuleUnload) used to re-enter the failing initialization
// and deadlock.
// RUN: not env ATTNRES_CUDA_STANDIN_FAIL=cuInit %run_standin %t.isa.mlir 2>&1 | FileCheck %s --check-prefix=INIT
// RUN: mlir-translate --mlir-to-llvmir %t.isa.mlir -o %t.ll
// RUN: %cc_native %t.ll -o %t.exe -L%attnres_lib_dir -Wl,-rpath,%attnres_lib_dir -lattnres_cuda_runtime %native_libs
// RUN: env ATTNRES_CUDA_STANDIN_FAIL=cuInit %standin_env %t.exe > %t.out 2>&1; echo "exit $?" >> %t.out
// RUN: FileCheck %s --check-prefix=INIT-NATIVE < %t.out
// INIT: attnres-cuda-runtime: cuInit failed: CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected; driver 13.0 (13000)
// INIT-NATIVE: attnres-cuda-runtime: cuInit failed: CUDA_ERROR_NO_DEVICE (100)
// INIT-NATIVE: exit 1

// The probe (lit's `cuda-gpu` feature, gpu-check.sh) names the error too, and
// describes the driver and device when they answer.
// RUN: not env ATTNRES_CUDA_STANDIN_FAIL=cuInit %standin_env %attnres_obj_root/bin/attnres-cuda-probe 2>&1 | FileCheck %s --check-prefix=INIT
// RUN: %standin_env %attnres_obj_root/bin/attnres-cuda-probe --describe 2>&1 | FileCheck %s --check-prefix=PROBE
// PROBE: driver 13.0 (13000); 1 device(s); device 0: NVIDIA H100 80GB HBM3 (attnres cuda-standin), sm_90, 132 SMs, 80.0 GiB, peak memory bandwidth 3352 GB/s
// PROBE: cuda devices: 1

// The native executable runs against the stand-in without errors.
// RUN: %standin_env %t.exe 2>&1 | FileCheck %s --check-prefix=NATIVE
// NATIVE: cuda-standin: {{.*}} 0 errors

// The module does not load: the image kind, the error and the driver.
// RUN: not env ATTNRES_CUDA_STANDIN_FAIL=module-load %run_standin %t.isa.mlir 2>&1 | FileCheck %s --check-prefix=LOAD
// LOAD: attnres-cuda-runtime: cannot load the GPU module (PTX): CUDA_ERROR_INVALID_IMAGE (200): device kernel image is invalid; driver 13.0 (13000), NVIDIA H100 80GB HBM3 (attnres cuda-standin) (sm_90)
// LOAD-NEXT: PTX JIT log: ptxas application ptx input: (attnres cuda-standin) module rejected with error 200
// LOAD-NOT: cuLaunchKernel

// A driver older than the toolkit: a cubin (format=bin) and CUDA 13's
// fatbin (its PTX is compressed) do not load; PTX (format=isa, the default)
// does.
// RUN: attnres-opt %s --attnres-to-nvvm="format=bin" > %t.bin.mlir
// RUN: not env ATTNRES_CUDA_STANDIN_FAIL=old-driver %run_standin %t.bin.mlir 2>&1 | FileCheck %s --check-prefix=OLD-BIN
// RUN: attnres-opt %s --attnres-to-nvvm="format=fatbin" > %t.fatbin.mlir
// RUN: not env ATTNRES_CUDA_STANDIN_FAIL=old-driver %run_standin %t.fatbin.mlir 2>&1 | FileCheck %s --check-prefix=OLD-FATBIN
// RUN: env ATTNRES_CUDA_STANDIN_FAIL=old-driver %run_standin %t.isa.mlir 2>&1 | FileCheck %s --check-prefix=OLD-ISA
// OLD-BIN: attnres-cuda-runtime: cannot load the GPU module (cubin (ELF), {{[0-9]+}} bytes): CUDA_ERROR_NO_BINARY_FOR_GPU (209): no kernel image is available for execution on the device; driver 12.4 (12040)
// OLD-BIN-SAME: compile with format=isa (PTX, compiled by the driver at load time; attnres-to-nvvm's default)
// OLD-FATBIN: attnres-cuda-runtime: cannot load the GPU module (fatbin, {{[0-9]+}} bytes): CUDA_ERROR_NO_BINARY_FOR_GPU (209)
// OLD-ISA: cuda-standin: {{[0-9]+}} calls, 1 launches, {{[0-9]+}} pointer arguments checked, 0 errors

// The host cannot register memory with the driver: the program does not need
// to (its constant inputs are copied to managed memory).
// RUN: env ATTNRES_CUDA_STANDIN_FAIL=register %run_standin %t.isa.mlir 2>&1 | FileCheck %s --check-prefix=REGISTER
// REGISTER-NOT: error
// REGISTER: cuda-standin: {{[0-9]+}} calls, 1 launches, {{[1-9][0-9]*}} pointer arguments checked, 0 errors

func.func @site(%q: tensor<64xf32>, %v0: tensor<4x64xf32>, %v1: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<64xf32>, tensor<4x64xf32> -> tensor<4x64xf32>
  return %h : tensor<4x64xf32>
}
func.func @main() {
  %q = arith.constant dense<1.0> : tensor<64xf32>
  %v = arith.constant dense<2.0> : tensor<4x64xf32>
  %h = call @site(%q, %v, %v) : (tensor<64xf32>, tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xf32>
  %c0 = arith.constant 0 : index
  %x = tensor.extract %h[%c0, %c0] : tensor<4x64xf32>
  vector.print %x : f32
  return
}
