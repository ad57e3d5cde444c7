// tf.layers core layers: Dense, Dropout, Flatten and their functional forms
// dense, dropout, flatten (TF 1.15's tf.compat.v1.layers).
//
//   auto h = tf::layers::dense(x, {.units = 1024, .activation = tf::nn::relu});
//   auto training = tf::placeholder_with_default(false, {}, "training");
//   h = tf::layers::dropout(h, {.rate = 0.4f}, training);
//   auto flat = tf::layers::flatten(pool);          // [batch, h * w * c]
//
// Dense: ops MatMul, BiasAdd and the activation under the layer's scope;
// kernel [in, units]. Dropout: applies only when `training` is true (false
// by default, as in tf.layers); a bool tensor chooses at run time.
#ifndef MINITF_LAYERS_CORE_H_
#define MINITF_LAYERS_CORE_H_

#include <optional>
#include <string>

#include "minitf/layers/layer.h"
#include "minitf/ops/nn/dropout.h"
#include "minitf/variables/initializers.h"

namespace minitf::layers {

struct DenseOptions {
  int64_t units = 0;
  Activation activation;
  bool use_bias = true;
  VariableInitializer kernel_initializer;  // None: scope's, else glorot
  VariableInitializer bias_initializer = zeros_initializer();
  Regularizer kernel_regularizer;
  Regularizer bias_regularizer;
  Regularizer activity_regularizer;
  Constraint kernel_constraint;
  Constraint bias_constraint;
  bool trainable = true;
  LayerName name;
  Reuse reuse;
};

class Dense : public Layer {
 public:
  explicit Dense(const DenseOptions& options, const LayerName& scope = {});
  int64_t units() const { return options_.units; }
  const Activation& activation() const { return options_.activation; }
  bool use_bias() const { return options_.use_bias; }
  const Constraint& kernel_constraint() const {
    return options_.kernel_constraint;
  }
  const Constraint& bias_constraint() const { return options_.bias_constraint; }
  const Variable& kernel() const { return kernel_; }
  const Variable& bias() const { return bias_; }

 protected:
  void Build(const Shape& input_shape) override;
  Output Call(Output inputs, const Training& training) override;

 private:
  DenseOptions options_;
  Variable kernel_, bias_;
};
Output dense(Output inputs, const DenseOptions& options);

struct DropoutLayerOptions {
  nn::FloatOrTensor rate = 0.5f;  // the fraction dropped; a float or tensor
  std::optional<Shape> noise_shape;
  std::optional<int64_t> seed;
  LayerName name;
};

class Dropout : public Layer {
 public:
  explicit Dropout(const DropoutLayerOptions& options = {});
  const nn::FloatOrTensor& rate() const { return options_.rate; }

 protected:
  Output Call(Output inputs, const Training& training) override;

 private:
  DropoutLayerOptions options_;
};
Output dropout(Output inputs, const DropoutLayerOptions& options = {},
               Training training = false);

struct FlattenOptions {
  std::string data_format = "channels_last";
  LayerName name;
};

// [batch, ...] -> [batch, product of the rest]; channels_first inputs are
// first moved to channels-last order, as keras does.
class Flatten : public Layer {
 public:
  explicit Flatten(const FlattenOptions& options = {});

 protected:
  Output Call(Output inputs, const Training& training) override;

 private:
  std::string data_format_;
};
Output flatten(Output inputs, const FlattenOptions& options = {});

}  // namespace minitf::layers

#endif  // MINITF_LAYERS_CORE_H_
