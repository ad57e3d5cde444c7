// tf.layers BatchNormalization and batch_normalization (TF 1.15). Variables
// gamma, beta, moving_mean, moving_variance (in that order); the moving
// averages are non-trainable, updated by `moving -= (moving - batch) *
// (1 - momentum)` ops ("AssignMovingAvg", "AssignMovingAvg_1") that land in
// updates() and UPDATE_OPS, so a train op runs them through
// control_dependencies(get_collection(UPDATE_OPS)).
//
//   auto training = tf::placeholder_with_default(false, {}, "training");
//   auto y = tf::layers::batch_normalization(x, {.momentum = 0.9f}, training);
//
// As in TF 1.15, a 4-D input normalized over axis 1 or 3 runs on the fused
// oneDNN op (FusedBatchNorm), whose moving variance takes the
// Bessel-corrected batch variance; every other input on the composite
// nn::moments / nn::batch_normalization (biased variance). `training` false
// (the default) normalizes with the moving statistics; a bool tensor chooses at
// run time, and only the taken branch's ops run.
#ifndef MINITF_LAYERS_NORMALIZATION_H_
#define MINITF_LAYERS_NORMALIZATION_H_

#include <optional>
#include <vector>

#include "minitf/layers/conv_utils.h"
#include "minitf/layers/layer.h"
#include "minitf/variables/initializers.h"

namespace minitf::layers {

struct BatchNormalizationOptions {
  IntTuple axis = -1;  // an int or a list of ints
  float momentum = 0.99f;
  float epsilon = 1e-3f;
  bool center = true;
  bool scale = true;
  VariableInitializer beta_initializer = zeros_initializer();
  VariableInitializer gamma_initializer = ones_initializer();
  VariableInitializer moving_mean_initializer = zeros_initializer();
  VariableInitializer moving_variance_initializer = ones_initializer();
  Regularizer beta_regularizer;
  Regularizer gamma_regularizer;
  Constraint beta_constraint;
  Constraint gamma_constraint;
  // nullopt or true: fused whenever possible (see above); false: never.
  std::optional<bool> fused;
  bool trainable = true;
  LayerName name;
  Reuse reuse;
};

class BatchNormalization : public Layer {
 public:
  explicit BatchNormalization(const BatchNormalizationOptions& options = {},
                              const LayerName& scope = {});

  // The normalized axes, non-negative once built.
  const std::vector<int64_t>& axis() const { return axis_; }
  bool fused() const { return fused_; }
  // Null when center / scale is off.
  const Variable& beta() const { return beta_; }
  const Variable& gamma() const { return gamma_; }
  const Variable& moving_mean() const { return moving_mean_; }
  const Variable& moving_variance() const { return moving_variance_; }

 protected:
  void Build(const Shape& input_shape) override;
  Output Call(Output inputs, const Training& training) override;

 private:
  Output CallFused(Output inputs, const std::variant<bool, Output>& training);
  Output CallComposite(Output inputs,
                       const std::variant<bool, Output>& training);
  // The moving-average update of `variable` toward `value`.
  Output AssignMovingAverage(const Variable& variable, Output value,
                             Output momentum);

  BatchNormalizationOptions options_;
  std::vector<int64_t> axis_;
  bool fused_ = false;
  Variable beta_, gamma_, moving_mean_, moving_variance_;
};

Output batch_normalization(Output inputs,
                           const BatchNormalizationOptions& options = {},
                           Training training = false);

}  // namespace minitf::layers

#endif  // MINITF_LAYERS_NORMALIZATION_H_
