// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-gpu-finalize-kernels))' | FileCheck %s --check-prefix=MANAGED
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-gpu-finalize-kernels{memory=device}))' | FileCheck %s --check-prefix=DEVICE
// RUN: attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-gpu-finalize-kernels{memory=none}))' | FileCheck %s --check-prefix=NONE
// RUN: not attnres-opt %s --pass-pipeline='builtin.module(func.func(attnres-gpu-finalize-kernels{memory=pinned}))' 2>&1 | FileCheck %s --check-prefix=BAD

// Kernels read a constant global, a function argument and a mutable global.
// The constant (read-only pages, which not every host can register) is
// copied once per call into managed (device) memory at the function's entry
// and freed at its return; the argument is registered from entry to return
// (managed mode only: device mode takes device pointers); the mutable global
// around the launch. A caller passing the constant to a callee copies it too.

memref.global "private" constant @weights : memref<4xf32> = dense<1.0>
memref.global "private" @state : memref<4xf32> = dense<0.0>

// MANAGED-LABEL: func.func @captures(
// MANAGED-SAME: %[[ARG:.*]]: memref<4xf32>)
// MANAGED: %[[ARGCAST:.*]] = memref.cast %[[ARG]] : memref<4xf32> to memref<*xf32>
// MANAGED: gpu.host_register %[[ARGCAST]]
// MANAGED: %[[CST:.*]] = memref.get_global @weights
// MANAGED: %[[COPY:.*]] = gpu.alloc host_shared () : memref<4xf32>
// MANAGED: memref.copy %[[CST]], %[[COPY]]
// MANAGED: %[[STATE:.*]] = memref.get_global @state
// MANAGED: %[[OUT:.*]] = gpu.alloc host_shared () : memref<4xf32>
// MANAGED: %[[SCAST:.*]] = memref.cast %[[STATE]]
// MANAGED: gpu.host_register %[[SCAST]]
// MANAGED: gpu.launch
// MANAGED: memref.load %[[COPY]]
// MANAGED: memref.load %[[ARG]]
// MANAGED: memref.load %[[STATE]]
// MANAGED: gpu.terminator
// MANAGED: %[[SCAST2:.*]] = memref.cast %[[STATE]]
// MANAGED-NEXT: gpu.host_unregister %[[SCAST2]]
// MANAGED: gpu.dealloc async [%{{.*}}] %[[OUT]]
// MANAGED: gpu.dealloc async [%{{.*}}] %[[COPY]]
// MANAGED: %[[ARGCAST2:.*]] = memref.cast %[[ARG]]
// MANAGED-NEXT: gpu.host_unregister %[[ARGCAST2]]
// MANAGED-NEXT: return

// DEVICE-LABEL: func.func @captures(
// DEVICE-SAME: %[[ARG:.*]]: memref<4xf32>)
// DEVICE-NOT: gpu.host_register %{{.*}}[[ARG]]
// DEVICE: %[[CST:.*]] = memref.get_global @weights
// DEVICE: %[[T0:.*]] = gpu.wait async
// DEVICE: %[[COPY:.*]], %[[T1:.*]] = gpu.alloc async [%[[T0]]] () : memref<4xf32>
// DEVICE: gpu.wait [%[[T1]]]
// DEVICE: gpu.memcpy async [%{{.*}}] %[[COPY]], %[[CST]]
// DEVICE: gpu.alloc async
// DEVICE: gpu.host_register
// DEVICE: gpu.launch
// DEVICE: memref.load %[[COPY]]
// DEVICE: memref.load %[[ARG]]
// DEVICE: gpu.host_unregister
// DEVICE: gpu.dealloc async [%{{.*}}] %[[COPY]]
// DEVICE-NOT: gpu.host_unregister
// DEVICE: return

// NONE-LABEL: func.func @captures(
// NONE-NOT: gpu.alloc
// NONE-NOT: gpu.host_register
// NONE: memref.alloc
// NONE: memref.get_global @weights

// BAD: for the --memory option: Cannot find option named 'pinned'!
func.func @captures(%arg: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %g = memref.get_global @weights : memref<4xf32>
  %s = memref.get_global @state : memref<4xf32>
  %a = memref.alloc() : memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1) threads(%tx, %ty, %tz) in (%u = %c1, %v = %c1, %w = %c1) {
    %0 = memref.load %g[%tx] : memref<4xf32>
    %1 = memref.load %arg[%tx] : memref<4xf32>
    %2 = memref.load %s[%tx] : memref<4xf32>
    %3 = arith.addf %0, %1 : f32
    %4 = arith.addf %3, %2 : f32
    memref.store %4, %a[%tx] : memref<4xf32>
    gpu.terminator
  }
  memref.dealloc %a : memref<4xf32>
  return
}

// MANAGED-LABEL: func.func @caller()
// MANAGED: %[[CST:.*]] = memref.get_global @weights
// MANAGED: %[[COPY:.*]] = gpu.alloc host_shared ()
// MANAGED: memref.copy %[[CST]], %[[COPY]]
// MANAGED: call @captures(%[[COPY]])
// MANAGED: gpu.dealloc async [%{{.*}}] %[[COPY]]
// MANAGED: return
func.func @caller() {
  %g = memref.get_global @weights : memref<4xf32>
  call @captures(%g) : (memref<4xf32>) -> ()
  return
}

// A constant the function returns is copied but not freed (the caller owns
// the result).
// MANAGED-LABEL: func.func @returns_constant()
// MANAGED: %[[COPY:.*]] = gpu.alloc host_shared ()
// MANAGED: call @captures(%[[COPY]])
// MANAGED-NOT: gpu.dealloc
// MANAGED: return %[[COPY]]
func.func @returns_constant() -> memref<4xf32> {
  %g = memref.get_global @weights : memref<4xf32>
  call @captures(%g) : (memref<4xf32>) -> ()
  return %g : memref<4xf32>
}
