// AdagradOptimizer: TF1's tf.train.AdagradOptimizer (ApplyAdagrad):
//   accum += g^2;  var -= lr * g / sqrt(accum)
// One slot, "accumulator" ("<var>/Adagrad"), initialized to
// initial_accumulator_value.
//
//   tf::train::AdagradOptimizer opt(0.1, {.initial_accumulator_value = 0.1});
#ifndef MINITF_TRAIN_ADAGRAD_H_
#define MINITF_TRAIN_ADAGRAD_H_

#include <string>

#include "minitf/train/optimizer.h"

namespace minitf::train {

// The arguments after learning_rate, in TF's order, with TF's defaults.
struct AdagradOptions {
  double initial_accumulator_value = 0.1;
  bool use_locking = false;
  std::string name = "Adagrad";
};

class AdagradOptimizer : public Optimizer {
 public:
  // Throws ValueError "initial_accumulator_value must be positive: <v>"
  // unless it is > 0.
  explicit AdagradOptimizer(HyperParameter learning_rate,
                            const AdagradOptions& options = {});

 protected:
  void CreateSlots(const std::vector<Variable>& var_list) override;
  void Prepare() override;
  Operation ApplyDense(Output grad, const Variable& var) override;

 private:
  HyperParameter learning_rate_;
  double initial_accumulator_value_;
  Output learning_rate_tensor_;
};

}  // namespace minitf::train

#endif  // MINITF_TRAIN_ADAGRAD_H_
