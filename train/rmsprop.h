// RMSPropOptimizer: TF1's tf.train.RMSPropOptimizer (ApplyRMSProp, or
// ApplyCenteredRMSProp when centered):
//   ms = decay * ms + (1 - decay) * g^2
//   mom = momentum * mom + lr * g / sqrt(ms + epsilon)          (plain)
//   mg = decay * mg + (1 - decay) * g;  mom = momentum * mom
//        + lr * g / sqrt(ms - mg^2 + epsilon)                   (centered)
//   var -= mom
// Slots "rms" (ones), "mg" (zeros, centered only) and "momentum" (zeros),
// named "<var>/RMSProp", "<var>/RMSProp_1"[, "<var>/RMSProp_2"] in that
// order of creation.
//
//   tf::train::RMSPropOptimizer opt(0.001, {.momentum = 0.9,
//                                           .centered = true});
#ifndef MINITF_TRAIN_RMSPROP_H_
#define MINITF_TRAIN_RMSPROP_H_

#include <string>

#include "minitf/train/optimizer.h"

namespace minitf::train {

// The arguments after learning_rate, in TF's order, with TF's defaults.
struct RMSPropOptions {
  HyperParameter decay = 0.9;
  HyperParameter momentum = 0.0;
  HyperParameter epsilon = 1e-10;
  bool use_locking = false;
  bool centered = false;
  std::string name = "RMSProp";
};

class RMSPropOptimizer : public Optimizer {
 public:
  explicit RMSPropOptimizer(HyperParameter learning_rate,
                            const RMSPropOptions& options = {});

 protected:
  void CreateSlots(const std::vector<Variable>& var_list) override;
  void Prepare() override;
  Operation ApplyDense(Output grad, const Variable& var) override;

 private:
  HyperParameter learning_rate_;
  RMSPropOptions options_;
  Output learning_rate_tensor_, decay_tensor_, momentum_tensor_,
      epsilon_tensor_;
};

}  // namespace minitf::train

#endif  // MINITF_TRAIN_RMSPROP_H_
