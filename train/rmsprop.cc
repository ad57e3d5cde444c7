#include "minitf/train/rmsprop.h"

#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/training/training_ops.h"

namespace minitf::train {

RMSPropOptimizer::RMSPropOptimizer(HyperParameter learning_rate,
                                   const RMSPropOptions& options)
    : Optimizer(options.use_locking, options.name),
      learning_rate_(std::move(learning_rate)),
      options_(options) {}

void RMSPropOptimizer::CreateSlots(const std::vector<Variable>& var_list) {
  for (const Variable& v : var_list) {
    GetOrMakeSlotWithInitializer(v, ones_initializer(), "rms", get_name());
    if (options_.centered) ZerosSlot(v, "mg", get_name());
    ZerosSlot(v, "momentum", get_name());
  }
}

void RMSPropOptimizer::Prepare() {
  learning_rate_tensor_ = learning_rate_.ToTensor("learning_rate");
  decay_tensor_ = options_.decay.ToTensor("decay");
  momentum_tensor_ = options_.momentum.ToTensor("momentum");
  epsilon_tensor_ = options_.epsilon.ToTensor("epsilon");
}

Operation RMSPropOptimizer::ApplyDense(Output grad, const Variable& var) {
  const DataType dtype = var.dtype();
  Output rms = GetSlotOrThrow(var, "rms").ref();
  Output mom = GetSlotOrThrow(var, "momentum").ref();
  Output lr = cast(learning_rate_tensor_, dtype);
  Output decay = cast(decay_tensor_, dtype);
  Output momentum = cast(momentum_tensor_, dtype);
  Output epsilon = cast(epsilon_tensor_, dtype);
  if (options_.centered) {
    Output mg = GetSlotOrThrow(var, "mg").ref();
    return apply_centered_rms_prop(var.ref(), mg, rms, mom, lr, decay, momentum,
                                   epsilon, grad,
                                   {.use_locking = use_locking()})
        .op();
  }
  return apply_rms_prop(var.ref(), rms, mom, lr, decay, momentum, epsilon, grad,
                        {.use_locking = use_locking()})
      .op();
}

}  // namespace minitf::train
