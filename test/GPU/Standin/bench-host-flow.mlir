// The GPU benchmark's host flow (bench/gpu_bench.py --host-flow: compile with
// memory=device, device buffers through the runtime's C ABI, every kernel
// section — f32/bf16 sites at D = 7168, decode T = 1..128, the site
// backward (row-group + column-sum kernels, bf16/f32), stats/merge, a
// Block model through mlir-runner — at small token counts) against the
// driver stand-in: every call valid, every kernel pointer device memory,
// exit status 0, the results file written.
// REQUIRES: cuda-standin, ptxas, numpy
// RUN: rm -f %t.trace %t.md
// RUN: env ATTNRES_CUDA_STANDIN_LOG=%t.trace %standin_env %python %attnres_src_root/bench/gpu_bench.py --build-dir %attnres_obj_root --host-flow --results %t.md > %t.out 2> %t.err
// RUN: FileCheck %s --input-file %t.err
// RUN: FileCheck %s --check-prefix=RESULTS --input-file %t.md
// RUN: FileCheck %s --check-prefix=TRACE --input-file %t.trace

// CHECK-NOT: error
// CHECK: cuda-standin: {{[0-9]+}} calls, 32 launches, {{[1-9][0-9]*}} pointer arguments checked, 0 errors

// RESULTS: device 0: NVIDIA H100 80GB HBM3 (attnres cuda-standin), sm_90, 132 SMs, 80.0 GiB, peak memory bandwidth 3352 GB/s
// RESULTS: | site | 9 | 16 | 7168 | bf16 |
// RESULTS: | site | 9 | 16 | 7168 | f32 |
// RESULTS: | decode | 9 | 1 | 7168 | bf16 |
// RESULTS: | decode | 9 | 128 | 7168 | bf16 |
// RESULTS: | site-grad | 9 | 16 | 7168 | bf16 |
// RESULTS: | site-grad | 9 | 16 | 7168 | f32 |
// RESULTS: | stats | 9 | 16 | 7168 | bf16 |
// RESULTS: | merge | 1 | 16 | 7168 | bf16 |
// RESULTS: | `--case block {{.*}}` | ran (host flow) |

// Kernels get device memory (the sections, memory=device) or managed memory
// (the Block model, memory=managed); nothing is registered.
// TRACE: in device memory
// TRACE-NOT: cuMemHostRegister
// TRACE-NOT: in registered host memory
