// AdamOptimizer: TF1's tf.train.AdamOptimizer (ApplyAdam), with TF's
// "epsilon hat" form: at step t (from 1)
//   lr_t = learning_rate * sqrt(1 - beta2^t) / (1 - beta1^t)
//   m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g^2
//   var -= lr_t * m / (sqrt(v) + epsilon)
// Slots "m" and "v" ("<var>/Adam", "<var>/Adam_1"); non-slot variables
// "beta1_power" and "beta2_power" (initial values beta1 and beta2, one pair
// per graph, in the name scope minimize is called from), multiplied by
// beta1 and beta2 after all variable updates.
//
//   tf::train::AdamOptimizer opt({.learning_rate = 1e-3, .epsilon = 1e-7});
//   tf::train::AdamOptimizer plain(0.01);
#ifndef MINITF_TRAIN_ADAM_H_
#define MINITF_TRAIN_ADAM_H_

#include <string>
#include <utility>

#include "minitf/train/optimizer.h"

namespace minitf::train {

// AdamOptimizer's arguments, in TF's order, with TF's defaults.
struct AdamOptions {
  HyperParameter learning_rate = 0.001;
  HyperParameter beta1 = 0.9;
  HyperParameter beta2 = 0.999;
  HyperParameter epsilon = 1e-8;
  bool use_locking = false;
  std::string name = "Adam";
};

class AdamOptimizer : public Optimizer {
 public:
  explicit AdamOptimizer(const AdamOptions& options = {});
  explicit AdamOptimizer(HyperParameter learning_rate)
      : AdamOptimizer(AdamOptions{.learning_rate = std::move(learning_rate)}) {}

 protected:
  void CreateSlots(const std::vector<Variable>& var_list) override;
  void Prepare() override;
  Operation ApplyDense(Output grad, const Variable& var) override;
  Operation Finish(const std::vector<Operation>& update_ops,
                   const std::string& name_scope) override;

 private:
  AdamOptions options_;
  Output lr_t_, beta1_t_, beta2_t_, epsilon_t_;
};

}  // namespace minitf::train

#endif  // MINITF_TRAIN_ADAM_H_
