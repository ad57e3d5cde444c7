#include "minitf/train/adagrad.h"

#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/training/training_ops.h"

namespace minitf::train {

AdagradOptimizer::AdagradOptimizer(HyperParameter learning_rate,
                                   const AdagradOptions& options)
    : Optimizer(options.use_locking, options.name),
      learning_rate_(std::move(learning_rate)),
      initial_accumulator_value_(options.initial_accumulator_value) {
  if (!(initial_accumulator_value_ > 0.0)) {
    ThrowValueError(absl::StrCat("initial_accumulator_value must be positive: ",
                                 initial_accumulator_value_));
  }
}

void AdagradOptimizer::CreateSlots(const std::vector<Variable>& var_list) {
  for (const Variable& v : var_list) {
    GetOrMakeSlotWithInitializer(
        v, constant_initializer(initial_accumulator_value_), "accumulator",
        get_name());
  }
}

void AdagradOptimizer::Prepare() {
  learning_rate_tensor_ = learning_rate_.ToTensor("learning_rate");
}

Operation AdagradOptimizer::ApplyDense(Output grad, const Variable& var) {
  Output acc = GetSlotOrThrow(var, "accumulator").ref();
  return apply_adagrad(var.ref(), acc, cast(learning_rate_tensor_, var.dtype()),
                       grad, {.use_locking = use_locking()})
      .op();
}

}  // namespace minitf::train
