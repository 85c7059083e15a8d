// Bad targets get a diagnostic and a non-zero exit, never an LLVM ERROR
// abort (upstream aborts on sm_90 with the default +ptx60).
// RUN: not attnres-opt %s --attnres-to-nvvm="chip=sm_90 features=+ptx60 format=isa" 2>&1 | FileCheck %s --check-prefix=PTX60
// RUN: not attnres-opt %s --attnres-to-nvvm="chip=sm_42 format=isa" 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not attnres-opt %s --attnres-to-nvvm="chip=sm_80 features=+sm80 format=isa" 2>&1 | FileCheck %s --check-prefix=NOPTX
// RUN: not attnres-opt %s --attnres-to-nvvm="format=elf" 2>&1 | FileCheck %s --check-prefix=FORMAT
// RUN: not attnres-opt %s --attnres-to-nvvm="max-threads=1000 format=isa" 2>&1 | FileCheck %s --check-prefix=THREADS
// RUN: not attnres-opt %s --attnres-to-nvvm="cuda-path=/nonexistent/cuda format=bin" 2>&1 | FileCheck %s --check-prefix=TOOLKIT

// PTX60: error: attnres-to-nvvm: chip sm_90 needs PTX 7.8 or newer (features +ptx78), got '+ptx60'
// PTX60-NOT: LLVM ERROR
// CHIP: error: attnres-to-nvvm: unknown or unsupported chip 'sm_42'
// NOPTX: error: attnres-to-nvvm: features '+sm80' name no PTX version (e.g. +ptx80)
// FORMAT: for the --format option: Cannot find option named 'elf'!
// TOOLKIT: error: attnres-to-nvvm: no libdevice at '/nonexistent/cuda/nvvm/libdevice/libdevice.10.bc' (set cuda-path=<CUDA toolkit root>)
// THREADS: error: convert-attnres-to-gpu: max-threads must be a multiple of 32 in [32, 1024], got 1000

func.func @site(%q: tensor<64xf32>, %v0: tensor<4x64xf32>, %v1: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %h = attnres.depth_attn %q, [%v0, %v1] : tensor<64xf32>, tensor<4x64xf32> -> tensor<4x64xf32>
  return %h : tensor<4x64xf32>
}
