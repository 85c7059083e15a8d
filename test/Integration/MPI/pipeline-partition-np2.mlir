// REQUIRES: mpi, numpy
// Two MPI processes, P = 2 ranks x V = 2 virtual stages (C = 4 chunks).
//
// Block AttnRes, L = 12 sublayers in blocks of 4, chunks of 3 sublayers (the
// blocks are not aligned to the chunks).
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --layers 12 --block-size 4 --hidden 16 --rows 4 --stages 2 --virtual-stages 2 --seed 17 > %t.block.mlir
// RUN: attnres-opt %t.block.mlir --attnres-to-llvm="two-phase=off" | mlir-translate --mlir-to-llvmir > %t.block.seq.ll
// RUN: %cc_native %t.block.seq.ll -o %t.block.seq %native_libs
// RUN: %t.block.seq | grep -v 'base@' > %t.block.seq.out
// RUN: FileCheck %s --check-prefix=CHECK-RESULT < %t.block.seq.out
// RUN: attnres-opt %t.block.mlir --attnres-pipeline-partition="stages=2 virtual-stages=2" --attnres-to-llvm="two-phase=off" | mlir-translate --mlir-to-llvmir > %t.block.par.ll
// RUN: %cc_native %mpi_cflags %t.block.par.ll %attnres_src_root/scripts/mpi_send_counter.c -o %t.block.par %native_libs %mpi_libs
// RUN: %mpirun -np 2 %t.block.par 2> %t.block.par.err | grep -v 'base@' > %t.block.par.out
// RUN: diff %t.block.seq.out %t.block.par.out
// RUN: sort %t.block.par.err | FileCheck %s --check-prefix=CHECK-BLOCK-BYTES
// RUN: attnres-opt %t.block.mlir --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=2 virtual-stages=2}))' 2>/dev/null | FileCheck %s --check-prefix=CHECK-BLOCK-TRAFFIC
//
// The same model with reuse-own-blocks: rank 1 keeps the b_1 it completed,
// so hop 2 carries b_2 and the partial only.
// RUN: attnres-opt %t.block.mlir --attnres-pipeline-partition="stages=2 virtual-stages=2 reuse-own-blocks=true" --attnres-to-llvm="two-phase=off" | mlir-translate --mlir-to-llvmir > %t.own.ll
// RUN: %cc_native %mpi_cflags %t.own.ll %attnres_src_root/scripts/mpi_send_counter.c -o %t.own %native_libs %mpi_libs
// RUN: %mpirun -np 2 %t.own 2> %t.own.err | grep -v 'base@' > %t.own.out
// RUN: diff %t.block.seq.out %t.own.out
// RUN: sort %t.own.err | FileCheck %s --check-prefix=CHECK-OWN-BYTES
// RUN: attnres-opt %t.block.mlir --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=2 virtual-stages=2 reuse-own-blocks=true}))' 2>/dev/null | FileCheck %s --check-prefix=CHECK-OWN-TRAFFIC
//
// Full AttnRes, L = 8 (every sublayer output is a block; 2 per chunk).
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case full --layers 8 --hidden 16 --rows 4 --stages 2 --virtual-stages 2 --seed 23 > %t.full.mlir
// RUN: attnres-opt %t.full.mlir --attnres-to-llvm="two-phase=off" | mlir-translate --mlir-to-llvmir > %t.full.seq.ll
// RUN: %cc_native %t.full.seq.ll -o %t.full.seq %native_libs
// RUN: %t.full.seq | grep -v 'base@' > %t.full.seq.out
// RUN: FileCheck %s --check-prefix=CHECK-RESULT < %t.full.seq.out
// RUN: attnres-opt %t.full.mlir --attnres-pipeline-partition="stages=2 virtual-stages=2" --attnres-to-llvm="two-phase=off" | mlir-translate --mlir-to-llvmir > %t.full.par.ll
// RUN: %cc_native %mpi_cflags %t.full.par.ll %attnres_src_root/scripts/mpi_send_counter.c -o %t.full.par %native_libs %mpi_libs
// RUN: %mpirun -np 2 %t.full.par 2> %t.full.par.err | grep -v 'base@' > %t.full.par.out
// RUN: diff %t.full.seq.out %t.full.par.out
// RUN: sort %t.full.par.err | FileCheck %s --check-prefix=CHECK-FULL-BYTES
// RUN: attnres-opt %t.full.mlir --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=2 virtual-stages=2}))' 2>/dev/null | FileCheck %s --check-prefix=CHECK-FULL-TRAFFIC

// CHECK-RESULT: max_abs_err =
// CHECK-RESULT-NEXT: mismatches = 0
// CHECK-RESULT-NEXT: PASS

// Values are 4 x 16 f32 = 256 bytes. Hops: 0 (rank 0 -> 1): b_0 + partial;
// 1 (1 -> 0): b_1 + partial (rank 0 holds b_0); 2 (0 -> 1): b_1, b_2 + partial.
// CHECK-BLOCK-TRAFFIC: cached_blocks = array<i64: 1, 1, 2>, cached_bytes_per_rank = array<i64: 1280, 512>
// CHECK-BLOCK-TRAFFIC-SAME: naive_blocks = array<i64: 1, 2, 3>
// CHECK-BLOCK-TRAFFIC-SAME: partials = array<i64: 1, 1, 1>
// CHECK-BLOCK-BYTES: rank 0 sent 1280 bytes in 5 messages, received 512 bytes in 2 messages
// CHECK-BLOCK-BYTES-NEXT: rank 1 sent 512 bytes in 2 messages, received 1280 bytes in 5 messages

// CHECK-OWN-TRAFFIC: cached_blocks = array<i64: 1, 1, 1>, cached_bytes_per_rank = array<i64: 1024, 512>
// CHECK-OWN-BYTES: rank 0 sent 1024 bytes in 4 messages, received 512 bytes in 2 messages
// CHECK-OWN-BYTES-NEXT: rank 1 sent 512 bytes in 2 messages, received 1024 bytes in 4 messages

// Full: hop 0 sends b_0, f_0, f_1; hop 1 f_0..f_3 (rank 0 holds b_0);
// hop 2 f_2..f_5 (rank 1 holds b_0, f_0, f_1).
// CHECK-FULL-TRAFFIC: cached_blocks = array<i64: 3, 4, 4>, cached_bytes_per_rank = array<i64: 1792, 1024>
// CHECK-FULL-TRAFFIC-SAME: naive_blocks = array<i64: 3, 5, 7>
// CHECK-FULL-BYTES: rank 0 sent 1792 bytes in 7 messages, received 1024 bytes in 4 messages
// CHECK-FULL-BYTES-NEXT: rank 1 sent 1024 bytes in 4 messages, received 1792 bytes in 7 messages
