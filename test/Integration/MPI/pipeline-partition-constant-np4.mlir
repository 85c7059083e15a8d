// REQUIRES: mpi, numpy
// The paper's Fig. 3 on 4 MPI processes with the embedding a constant of the
// model function (the usual shape of a program with fixed inputs) instead of
// an argument: Block AttnRes, L = 16 sublayers in blocks of 4, P = 4 ranks x
// V = 2 virtual stages. The embedding is rank 0's input, not a parameter, so
// every chunk runs on its own rank and the ranks exchange Fig. 3's cached
// traffic, exactly as with the embedding an argument (pipeline-partition-np4).
// RUN: %python %attnres_src_root/scripts/attnres_gen.py --case block --layers 16 --block-size 4 --hidden 16 --rows 4 --stages 4 --virtual-stages 2 --seed 31 --embedding constant > %t.mlir
//
// The unpartitioned program, one process (two-phase off: the partitioned
// program computes every site the same way, so the results match bit for bit).
// RUN: attnres-opt %t.mlir --attnres-to-llvm="two-phase=off" | mlir-translate --mlir-to-llvmir > %t.seq.ll
// RUN: %cc_native %t.seq.ll -o %t.seq %native_libs
// RUN: %t.seq > %t.seq.out
// RUN: FileCheck %s --check-prefix=CHECK-RESULT < %t.seq.out
//
// The partitioned program: each rank function runs the sites of its chunks.
// RUN: attnres-opt %t.mlir --attnres-pipeline-partition="stages=4 virtual-stages=2" > %t.part.mlir
// RUN: FileCheck %s --check-prefix=CHECK-RANKS < %t.part.mlir
// On 4 ranks, with a PMPI shim counting bytes: the numpy reference passes,
// the output is identical to the unpartitioned one, and the bytes each rank
// sent are the analysis' (and Fig. 3's).
// RUN: attnres-opt %t.part.mlir --attnres-to-llvm="two-phase=off" | mlir-translate --mlir-to-llvmir > %t.par.ll
// RUN: %cc_native %mpi_cflags %t.par.ll %attnres_src_root/scripts/mpi_send_counter.c -o %t.par %native_libs %mpi_libs
// RUN: %mpirun -np 4 %t.par > %t.par.out 2> %t.par.err
// RUN: FileCheck %s --check-prefix=CHECK-RESULT < %t.par.out
// Identical printed result (only the buffer address line differs):
// RUN: grep -v 'base@' %t.seq.out > %t.seq.data
// RUN: grep -v 'base@' %t.par.out > %t.par.data
// RUN: diff %t.seq.data %t.par.data
// RUN: sort %t.par.err | FileCheck %s --check-prefix=CHECK-BYTES
// RUN: attnres-opt %t.mlir --pass-pipeline='builtin.module(func.func(attnres-stage-traffic{stages=4 virtual-stages=2}))' 2>/dev/null | FileCheck %s --check-prefix=CHECK-TRAFFIC

// Sites per rank: rank 0 runs sublayers 0-1 (sublayer 0 has one source, no
// site) and 8-9, rank 1 2-3 and 10-11, rank 2 4-5 and 12-13, rank 3 6-7 and
// 14-15 plus the output site. Only rank 0 builds the embedding.
// CHECK-RANKS-LABEL: func.func private @block_attnres.rank0()
// CHECK-RANKS-SAME: attnres.chunks = array<i64: 0, 4>
// CHECK-RANKS: arith.constant dense<{{.*}}> : tensor<4x16xf32>
// CHECK-RANKS-COUNT-3: attnres.depth_attn
// CHECK-RANKS-NOT: attnres.depth_attn
// CHECK-RANKS-LABEL: func.func private @block_attnres.rank1()
// CHECK-RANKS-SAME: attnres.chunks = array<i64: 1, 5>
// CHECK-RANKS-NOT: tensor<4x16xf32> = arith.constant
// CHECK-RANKS-COUNT-4: attnres.depth_attn
// CHECK-RANKS-NOT: attnres.depth_attn
// CHECK-RANKS-LABEL: func.func private @block_attnres.rank2()
// CHECK-RANKS-SAME: attnres.chunks = array<i64: 2, 6>
// CHECK-RANKS-COUNT-4: attnres.depth_attn
// CHECK-RANKS-NOT: attnres.depth_attn
// CHECK-RANKS-LABEL: func.func private @block_attnres.rank3() -> tensor<4x16xf32>
// CHECK-RANKS-SAME: attnres.chunks = array<i64: 3, 7>
// CHECK-RANKS-COUNT-5: attnres.depth_attn
// CHECK-RANKS-NOT: attnres.depth_attn
// CHECK-RANKS: call @printMemrefF32

// Every value is 4 x 16 f32 = 256 bytes (as in pipeline-partition-np4.mlir).
// CHECK-TRAFFIC: cached_blocks = array<i64: 1, 2, 2, 2, 2, 2, 2>, cached_bytes_per_rank = array<i64: 1280, 1024, 1536, 512>
// CHECK-TRAFFIC-SAME: naive_blocks = array<i64: 1, 2, 2, 3, 3, 4, 4>, naive_bytes_per_rank = array<i64: 1536, 1536, 2048, 768>
// CHECK-BYTES: rank 0 sent 1280 bytes in 5 messages, received 512 bytes in 2 messages
// CHECK-BYTES-NEXT: rank 1 sent 1024 bytes in 4 messages, received 1280 bytes in 5 messages
// CHECK-BYTES-NEXT: rank 2 sent 1536 bytes in 6 messages, received 1024 bytes in 4 messages
// CHECK-BYTES-NEXT: rank 3 sent 512 bytes in 2 messages, received 1536 bytes in 6 messages

// Only the rank owning the last chunk prints: one result, checked in IR
// against the numpy reference.
// CHECK-RESULT: sizes = [4, 16]
// CHECK-RESULT: max_abs_err =
// CHECK-RESULT-NEXT: mismatches = 0
// CHECK-RESULT-NEXT: PASS
// CHECK-RESULT-NOT: sizes
// CHECK-RESULT-NOT: FAIL
