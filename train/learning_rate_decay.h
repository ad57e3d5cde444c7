// Learning-rate schedules: TF1's tf.train.exponential_decay,
// piecewise_constant, polynomial_decay and inverse_time_decay. Each builds
// graph ops on the global step (any int or float tensor) in a name scope
// named after the schedule ("ExponentialDecay", made unique), returns a
// float32 scalar whose op carries the scope's name, and serves as an
// optimizer's learning rate.
//
//   tf::Variable step = tf::train::get_or_create_global_step();
//   auto lr = tf::train::exponential_decay(0.1, step, 1000, 0.96,
//                                          {.staircase = true});
//   auto train_op = tf::train::GradientDescentOptimizer(lr).minimize(
//       loss, {.global_step = step});
#ifndef MINITF_TRAIN_LEARNING_RATE_DECAY_H_
#define MINITF_TRAIN_LEARNING_RATE_DECAY_H_

#include <string>
#include <vector>

#include "minitf/graph/node.h"
#include "minitf/train/optimizer.h"

namespace minitf::train {

struct DecayOptions {
  // Decay in whole steps of decay_steps (floor of step / decay_steps).
  bool staircase = false;
  std::string name = "";  // default: the schedule's name
};

// learning_rate * decay_rate ^ (global_step / decay_steps). Throws
// ValueError "global_step is required for exponential_decay." for a null
// step.
Output exponential_decay(HyperParameter learning_rate, Output global_step,
                         HyperParameter decay_steps, HyperParameter decay_rate,
                         const DecayOptions& options = {});

// learning_rate / (1 + decay_rate * global_step / decay_steps).
Output inverse_time_decay(HyperParameter learning_rate, Output global_step,
                          HyperParameter decay_steps, HyperParameter decay_rate,
                          const DecayOptions& options = {});

// values[0] while x <= boundaries[0], values[i] while boundaries[i-1] < x
// <= boundaries[i], values.back() past the last boundary. The boundaries
// take x's dtype. Throws ValueError "The length of boundaries should be 1
// less than the length of values" otherwise.
Output piecewise_constant(Output x, const std::vector<double>& boundaries,
                          const std::vector<double>& values,
                          const std::string& name = "");

struct PolynomialDecayOptions {
  double end_learning_rate = 0.0001;
  double power = 1.0;
  // Restart the decay every decay_steps (decay_steps grows to the next
  // multiple of the step) instead of holding end_learning_rate.
  bool cycle = false;
  std::string name = "";
};
// (learning_rate - end) * (1 - min(step, decay_steps) / decay_steps)^power
// + end.
Output polynomial_decay(HyperParameter learning_rate, Output global_step,
                        HyperParameter decay_steps,
                        const PolynomialDecayOptions& options = {});

}  // namespace minitf::train

#endif  // MINITF_TRAIN_LEARNING_RATE_DECAY_H_
