#include "minitf/train/momentum.h"

#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/training/training_ops.h"

namespace minitf::train {

MomentumOptimizer::MomentumOptimizer(HyperParameter learning_rate,
                                     HyperParameter momentum,
                                     const MomentumOptions& options)
    : Optimizer(options.use_locking, options.name),
      learning_rate_(std::move(learning_rate)),
      momentum_(std::move(momentum)),
      use_nesterov_(options.use_nesterov) {}

void MomentumOptimizer::CreateSlots(const std::vector<Variable>& var_list) {
  for (const Variable& v : var_list) ZerosSlot(v, "momentum", get_name());
}

void MomentumOptimizer::Prepare() {
  learning_rate_tensor_ = learning_rate_.ToTensor("learning_rate");
  momentum_tensor_ = momentum_.ToTensor("momentum");
}

Operation MomentumOptimizer::ApplyDense(Output grad, const Variable& var) {
  Variable mom = GetSlotOrThrow(var, "momentum");
  return apply_momentum(
             var.ref(), mom.ref(), cast(learning_rate_tensor_, var.dtype()),
             grad, cast(momentum_tensor_, var.dtype()),
             {.use_locking = use_locking(), .use_nesterov = use_nesterov_})
      .op();
}

}  // namespace minitf::train
