#include "minitf/train/gradient_descent.h"

#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/training/training_ops.h"

namespace minitf::train {

GradientDescentOptimizer::GradientDescentOptimizer(
    HyperParameter learning_rate, const GradientDescentOptions& options)
    : Optimizer(options.use_locking, options.name),
      learning_rate_(std::move(learning_rate)) {}

void GradientDescentOptimizer::Prepare() {
  learning_rate_tensor_ = learning_rate_.ToTensor("learning_rate");
}

Operation GradientDescentOptimizer::ApplyDense(Output grad,
                                               const Variable& var) {
  return apply_gradient_descent(var.ref(),
                                cast(learning_rate_tensor_, var.dtype()), grad,
                                {.use_locking = use_locking()})
      .op();
}

}  // namespace minitf::train
