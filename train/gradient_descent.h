// GradientDescentOptimizer: TF1's tf.train.GradientDescentOptimizer,
// var -= learning_rate * grad (ApplyGradientDescent). No slots.
//
//   tf::train::GradientDescentOptimizer opt(0.1);
//   tf::Operation train_op = opt.minimize(loss);
//   tf::train::GradientDescentOptimizer named(lr_tensor, {.name = "sgd"});
#ifndef MINITF_TRAIN_GRADIENT_DESCENT_H_
#define MINITF_TRAIN_GRADIENT_DESCENT_H_

#include <string>

#include "minitf/train/optimizer.h"

namespace minitf::train {

// The arguments after learning_rate, in TF's order.
struct GradientDescentOptions {
  bool use_locking = false;
  std::string name = "GradientDescent";
};

class GradientDescentOptimizer : public Optimizer {
 public:
  explicit GradientDescentOptimizer(HyperParameter learning_rate,
                                    const GradientDescentOptions& options = {});

 protected:
  void Prepare() override;
  Operation ApplyDense(Output grad, const Variable& var) override;

 private:
  HyperParameter learning_rate_;
  Output learning_rate_tensor_;
};

}  // namespace minitf::train

#endif  // MINITF_TRAIN_GRADIENT_DESCENT_H_
