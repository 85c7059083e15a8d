//===- AttnResTraits.h - traits of the attnres operations -------*- C++ -*-===//
//
// What every attnres op with optional destinations and a memref form shares,
// stated once as op traits (declared in AttnResBase.td):
// - `DestinationForm`: the two forms of the op (value form: tensors,
//   destinations optional, no side effects; memref form after
//   bufferization: memrefs, destinations required, no results), i.e.
//   `hasBufferSemantics`, and the methods of MemoryEffectsOpInterface and
//   ConditionallySpeculatable that follow from the form;
// - `OptionalTensorResult`: an op with one optional tensor result, whose
//   `getType()` (null in the memref form) the trait's ODS declaration adds.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNRES_DIALECT_ATTNRES_IR_ATTNRESTRAITS_H
#define ATTNRES_DIALECT_ATTNRES_IR_ATTNRESTRAITS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <type_traits>
#include <utility>

namespace mlir {
namespace attnres {
namespace detail {

/// Whether any operand of `op` is a memref (the memref form).
bool hasMemRefOperands(Operation *op);

/// Memory effects of the memref form: reads every memref operand but the
/// `numInits` trailing destinations, writes those. The value form (no memref
/// operand) has none.
void getDestinationFormEffects(
    Operation *op, unsigned numInits,
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects);

/// Whether `OpT` names its destinations `getInits()` (a range) rather than
/// `getInit()` (one optional value).
template <typename OpT, typename = void>
struct HasInitRange : std::false_type {};
template <typename OpT>
struct HasInitRange<OpT,
                    std::void_t<decltype(std::declval<OpT &>().getInits())>>
    : std::true_type {};

} // namespace detail

/// The value form and the memref form of an op with destinations.
template <typename ConcreteType>
class DestinationForm
    : public OpTrait::TraitBase<ConcreteType, DestinationForm> {
public:
  /// Whether the operands are memrefs (the memref form: no results).
  bool hasBufferSemantics() {
    return detail::hasMemRefOperands(this->getOperation());
  }

  /// MemoryEffectsOpInterface: none in the value form; in the memref form
  /// the op reads its inputs and writes its destinations.
  void
  getEffects(SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
                 &effects) {
    auto &op = *static_cast<ConcreteType *>(this);
    unsigned numInits;
    if constexpr (detail::HasInitRange<ConcreteType>::value)
      numInits = op.getInits().size();
    else
      numInits = op.getInit() ? 1 : 0;
    detail::getDestinationFormEffects(this->getOperation(), numInits, effects);
  }

  /// ConditionallySpeculatable: the value form is pure, the memref form
  /// writes memory.
  Speculation::Speculatability getSpeculatability() {
    return hasBufferSemantics() ? Speculation::NotSpeculatable
                                : Speculation::Speculatable;
  }
};

/// An op with one optional ranked tensor result (none in the memref form);
/// its `getType()` comes with the trait's ODS declaration (AttnResBase.td).
template <typename ConcreteType>
class OptionalTensorResult
    : public OpTrait::TraitBase<ConcreteType, OptionalTensorResult> {};

} // namespace attnres
} // namespace mlir

#endif // ATTNRES_DIALECT_ATTNRES_IR_ATTNRESTRAITS_H
