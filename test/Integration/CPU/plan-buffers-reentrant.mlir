// RUN: attnres-opt %s --attnres-to-llvm | %run_cpu | FileCheck %s
// RUN: attnres-opt %s --attnres-to-llvm=plan-buffers=per-call | %run_cpu | FileCheck %s
// RUN: attnres-opt %s --attnres-to-llvm=plan-buffers=off | %run_cpu | FileCheck %s
// RUN: attnres-opt %s --attnres-to-llvm="fast-kernels=false parallel=false" | %run_cpu | FileCheck %s

// attnres-plan-buffers with a static arena: @f's intermediate %a lives in the
// function's global arena and is still needed after @f calls itself. The
// inner call finds the arena taken and must use an arena of its own;
// sharing it would overwrite the outer %a before the outer sum reads it.
//
// f(x, n) = a + (n > 0 ? f(a, n - 1) : 3x) with a = 2x + 1, so by hand
// f(x, 0) = 5x + 1, f(x, 1) = 12x + 6 ... and f(x, 2) = 26x + 20:
// x = 0, 1, 2, 3 gives 20, 46, 72, 98 (exact in f32). The test checks
// every element exactly.

// CHECK: f = 20 46 72 98
// CHECK-NEXT: PASS
// CHECK-NOT: FAIL

#id = affine_map<(i) -> (i)>

// out = f(x, n), destination style so that the recursion passes buffers.
func.func @f(%xm: memref<4xf32>, %n: index, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %x = bufferization.to_tensor %xm restrict : memref<4xf32> to tensor<4xf32>
  %e = tensor.empty() : tensor<4xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %two = arith.constant 2.0 : f32
    %one = arith.constant 1.0 : f32
    %m = arith.mulf %v, %two : f32
    %r = arith.addf %m, %one : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %am = bufferization.to_buffer %a read_only : tensor<4xf32> to memref<4xf32>
  %more = arith.cmpi sgt, %n, %c0 : index
  scf.if %more {
    // out = f(a, n - 1), while a is live.
    %n1 = arith.subi %n, %c1 : index
    func.call @f(%am, %n1, %out) : (memref<4xf32>, index, memref<4xf32>) -> ()
  } else {
    // out = 3x
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
        ins(%xm : memref<4xf32>) outs(%out : memref<4xf32>) {
    ^bb0(%v: f32, %o: f32):
      %three = arith.constant 3.0 : f32
      %m = arith.mulf %v, %three : f32
      linalg.yield %m : f32
    }
  }
  // out = a + out
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%am : memref<4xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%u: f32, %w: f32):
    %s = arith.addf %u, %w : f32
    linalg.yield %s : f32
  }
  return
}

func.func @main() {
  %x = arith.constant dense<[0.0, 1.0, 2.0, 3.0]> : tensor<4xf32>
  %expected = arith.constant dense<[20.0, 46.0, 72.0, 98.0]> : tensor<4xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %xm = bufferization.to_buffer %x read_only : tensor<4xf32> to memref<4xf32>
  %ym = memref.alloc() : memref<4xf32>
  func.call @f(%xm, %c2, %ym) : (memref<4xf32>, index, memref<4xf32>) -> ()
  %y = bufferization.to_tensor %ym restrict : memref<4xf32> to tensor<4xf32>
  %zero = arith.constant 0.0 : f32
  vector.print str "f ="
  %err = scf.for %i = %c0 to %c4 step %c1 iter_args(%max = %zero) -> (f32) {
    %g = tensor.extract %y[%i] : tensor<4xf32>
    %want = tensor.extract %expected[%i] : tensor<4xf32>
    vector.print str " "
    vector.print %g : f32 punctuation <no_punctuation>
    %d = arith.subf %g, %want : f32
    %abs = math.absf %d : f32
    %m = arith.maximumf %max, %abs : f32
    scf.yield %m : f32
  }
  vector.print str "\n"
  // NOT(err <= 0): a NaN fails too.
  %bad = arith.cmpf ugt, %err, %zero : f32
  scf.if %bad {
    vector.print str "FAIL\n"
  } else {
    vector.print str "PASS\n"
  }
  return
}
