#include "minitf/train/adam.h"

#include <algorithm>

#include "minitf/graph/context.h"
#include "minitf/ops/control/control_ops.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/training/training_ops.h"

namespace minitf::train {

AdamOptimizer::AdamOptimizer(const AdamOptions& options)
    : Optimizer(options.use_locking, options.name), options_(options) {}

void AdamOptimizer::CreateSlots(const std::vector<Variable>& var_list) {
  // TF colocates the powers with the first variable by name; with no
  // devices only their creation (once per graph) matters.
  CreateNonSlotVariable(options_.beta1, "beta1_power");
  CreateNonSlotVariable(options_.beta2, "beta2_power");
  for (const Variable& v : var_list) {
    ZerosSlot(v, "m", get_name());
    ZerosSlot(v, "v", get_name());
  }
}

void AdamOptimizer::Prepare() {
  lr_t_ = options_.learning_rate.ToTensor("learning_rate");
  beta1_t_ = options_.beta1.ToTensor("beta1");
  beta2_t_ = options_.beta2.ToTensor("beta2");
  epsilon_t_ = options_.epsilon.ToTensor("epsilon");
}

Operation AdamOptimizer::ApplyDense(Output grad, const Variable& var) {
  const DataType dtype = var.dtype();
  Variable m = GetSlotOrThrow(var, "m");
  Variable v = GetSlotOrThrow(var, "v");
  Output beta1_power = GetNonSlotVariable("beta1_power").value();
  Output beta2_power = GetNonSlotVariable("beta2_power").value();
  return apply_adam(var.ref(), m.ref(), v.ref(), cast(beta1_power, dtype),
                    cast(beta2_power, dtype), cast(lr_t_, dtype),
                    cast(beta1_t_, dtype), cast(beta2_t_, dtype),
                    cast(epsilon_t_, dtype), grad,
                    {.use_locking = use_locking()})
      .op();
}

Operation AdamOptimizer::Finish(const std::vector<Operation>& update_ops,
                                const std::string& name_scope) {
  std::vector<CollectionItem> all(update_ops.begin(), update_ops.end());
  {
    // The powers advance only after every variable has used them.
    control_dependencies after(all);
    Variable beta1_power = GetNonSlotVariable("beta1_power");
    Variable beta2_power = GetNonSlotVariable("beta2_power");
    Output update_beta1 = beta1_power.assign(beta1_power.value() * beta1_t_);
    Output update_beta2 = beta2_power.assign(beta2_power.value() * beta2_t_);
    all.push_back(update_beta1);
    all.push_back(update_beta2);
  }
  return group(all, name_scope);
}

}  // namespace minitf::train
