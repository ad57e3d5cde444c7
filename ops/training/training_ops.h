// Training update ops: TF's ApplyGradientDescent, ApplyMomentum, ApplyAdam,
// ApplyRMSProp, ApplyCenteredRMSProp and ApplyAdagrad. Each takes the
// variable and its slots by reference (outputs of variable ops), updates them
// in place in one vectorized pass, and returns the variable's new value.
// Optimizers (train/optimizer.h) build these; few programs call them
// directly.
//
//   tf::Variable w(tf::constant<float>({1, 2}, {2}), {.name = "w"});
//   auto step = tf::train::apply_gradient_descent(w.ref(), lr, grad);
//
// Hyper-parameters (lr, momentum, beta1, ...) are float32 scalars; var,
// slots and grad are float32 tensors of one shape. A shape mismatch is a
// build-time ValueError when the shapes are known, else an InvalidArgument
// from Session::run; an uninitialized variable or slot is FailedPrecondition
// "Attempting to use uninitialized value <name>". use_locking is accepted
// for TF's API and changes nothing: runs of one plan are serialized, and
// variables are shared without locks, as in TF without use_locking.
#ifndef MINITF_OPS_TRAINING_TRAINING_OPS_H_
#define MINITF_OPS_TRAINING_TRAINING_OPS_H_

#include <string>

#include "minitf/graph/node.h"

namespace minitf::train {

struct ApplyOptions {
  bool use_locking = false;
  std::string name = "";  // default: the op type
};
struct ApplyMomentumOptions {
  bool use_locking = false;
  bool use_nesterov = false;
  std::string name = "";
};
struct ApplyAdagradOptions {
  bool use_locking = false;
  // False: var is updated with accum as it is, accum is left unchanged.
  bool update_slots = true;
  std::string name = "";
};

// var -= alpha * delta.
Output apply_gradient_descent(Output var, Output alpha, Output delta,
                              const ApplyOptions& options = {});
// accum = accum * momentum + grad; var -= lr * accum, or with Nesterov
// var -= lr * grad + lr * momentum * accum (the new accum).
Output apply_momentum(Output var, Output accum, Output lr, Output grad,
                      Output momentum,
                      const ApplyMomentumOptions& options = {});
// lr_t = lr * sqrt(1 - beta2_power) / (1 - beta1_power);
// m += (grad - m) * (1 - beta1); v += (grad^2 - v) * (1 - beta2);
// var -= lr_t * m / (sqrt(v) + epsilon), or with Nesterov
// var -= lr_t * (grad * (1 - beta1) + beta1 * m) / (sqrt(v) + epsilon).
Output apply_adam(Output var, Output m, Output v, Output beta1_power,
                  Output beta2_power, Output lr, Output beta1, Output beta2,
                  Output epsilon, Output grad,
                  const ApplyMomentumOptions& options = {});
// ms += (grad^2 - ms) * (1 - rho);
// mom = mom * momentum + lr * grad / sqrt(ms + epsilon); var -= mom.
Output apply_rms_prop(Output var, Output ms, Output mom, Output lr, Output rho,
                      Output momentum, Output epsilon, Output grad,
                      const ApplyOptions& options = {});
// As apply_rms_prop, with mg += (grad - mg) * (1 - rho) and the root of
// ms - mg^2 + epsilon in place of ms + epsilon.
Output apply_centered_rms_prop(Output var, Output mg, Output ms, Output mom,
                               Output lr, Output rho, Output momentum,
                               Output epsilon, Output grad,
                               const ApplyOptions& options = {});
// accum += grad^2; var -= lr * grad / sqrt(accum).
Output apply_adagrad(Output var, Output accum, Output lr, Output grad,
                     const ApplyAdagradOptions& options = {});

}  // namespace minitf::train

#endif  // MINITF_OPS_TRAINING_TRAINING_OPS_H_
