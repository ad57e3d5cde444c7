// MomentumOptimizer: TF1's tf.train.MomentumOptimizer (ApplyMomentum):
//   accum = accum * momentum + grad
//   var -= lr * accum                                  (use_nesterov false)
//   var -= lr * grad + lr * momentum * accum           (use_nesterov true)
// One slot, "momentum", named "<var>/Momentum".
//
//   tf::train::MomentumOptimizer opt(0.01, 0.9, {.use_nesterov = true});
//   tf::Operation train_op = opt.minimize(loss);
#ifndef MINITF_TRAIN_MOMENTUM_H_
#define MINITF_TRAIN_MOMENTUM_H_

#include <string>

#include "minitf/train/optimizer.h"

namespace minitf::train {

// The arguments after learning_rate and momentum, in TF's order.
struct MomentumOptions {
  bool use_locking = false;
  std::string name = "Momentum";
  bool use_nesterov = false;
};

class MomentumOptimizer : public Optimizer {
 public:
  MomentumOptimizer(HyperParameter learning_rate, HyperParameter momentum,
                    const MomentumOptions& options = {});

 protected:
  void CreateSlots(const std::vector<Variable>& var_list) override;
  void Prepare() override;
  Operation ApplyDense(Output grad, const Variable& var) override;

 private:
  HyperParameter learning_rate_, momentum_;
  bool use_nesterov_;
  Output learning_rate_tensor_, momentum_tensor_;
};

}  // namespace minitf::train

#endif  // MINITF_TRAIN_MOMENTUM_H_
