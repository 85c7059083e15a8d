//===- InitAll.cpp - register everything attnres provides -----------------===//

#include "attnres/InitAll.h"

#include "attnres/Compat/Passes.h"
#include "attnres/Conversion/Passes.h"
#include "attnres/Dialect/AttnRes/IR/AttnResDialect.h"
#include "attnres/Dialect/AttnRes/IR/AttnResShapeInterfaces.h"
#include "attnres/Dialect/AttnRes/Transforms/BufferizableOpInterfaceImpl.h"
#include "attnres/Dialect/AttnRes/Transforms/Passes.h"
#include "attnres/Pipelines/Pipelines.h"
#include "attnres/Transforms/Passes.h"
#include "mlir/Dialect/MPI/IR/MPI.h"
#include "mlir/IR/DialectRegistry.h"

void mlir::attnres::registerAllAttnResDialects(DialectRegistry &registry) {
  registry.insert<AttnResDialect>();
  // Upstream drivers on attnres ops: one-shot-bufferize keeps them (memref
  // form), transform.structured.decompose_interface decomposes them.
  registerBufferizableOpInterfaceExternalModels(registry);
  registerAttnResDecompositionInterfaceExternalModels(registry);
  // attnres-pipeline-partition emits mpi ops; give them memory effects.
  registry.insert<mpi::MPIDialect>();
  registerMPIMemoryEffectModels(registry);
  // The attnres ops' shape relations: value bounds, run-time checks.
  registerShapeInterfaceExternalModels(registry);
}

void mlir::attnres::registerAllAttnResPasses() {
  registerAttnResConversionPasses();
  registerAttnResCompatPasses();
  registerAttnResCodegenPasses();
  registerAttnResTransformsPasses();
}

void mlir::attnres::registerAllAttnResPipelines() {
  registerAttnResPipelines();
}
