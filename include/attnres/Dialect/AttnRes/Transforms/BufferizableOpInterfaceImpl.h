//===- BufferizableOpInterfaceImpl.h - bufferization of attnres -*- C++ -*-===//
//
// The BufferizableOpInterface external models of the attnres ops that have
// a memref form (depth_attn, depth_attn_stats, depth_attn_merge), as
// upstream's Linalg/Transforms/BufferizableOpInterfaceImpl.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_DIALECT_ATTNRES_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H
#define ATTNRES_DIALECT_ATTNRES_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H

namespace mlir {
class DialectRegistry;
class RewritePatternSet;
namespace attnres {

/// Attaches the models: upstream's `one-shot-bufferize` then keeps these ops,
/// turning them into their memref form (memref operands and destinations, no
/// results). A destination bufferizes in place when the analysis allows it
/// (its result is equivalent to it); an op without destinations gets a new
/// buffer per result (`bufferization.alloc_tensor` semantics).
void registerBufferizableOpInterfaceExternalModels(DialectRegistry &registry);

/// The pattern of `attnres-add-destinations`: an attnres op with a memref
/// form, in the value form without destinations, gets `tensor.empty`
/// destinations shaped like its results (reified), one per result. Its
/// meaning is unchanged (destinations are written, never read); upstream's
/// `eliminate-empty-tensors` can then compute a result that ends in a
/// destination (`bufferization.materialize_in_destination`) in place.
void populateAttnResAddDestinationsPatterns(RewritePatternSet &patterns);

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_DIALECT_ATTNRES_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H
