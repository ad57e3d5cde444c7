// tf.layers convolution: Conv1D, Conv2D, Conv3D and the functional conv1d,
// conv2d, conv3d (TF 1.15's tf.compat.v1.layers), on nn::convolution and
// nn::bias_add (oneDNN). One rank-generic Conv serves all three.
//
//   auto y = tf::layers::conv2d(images, {.filters = 32, .kernel_size = 5,
//       .padding = "same", .activation = tf::nn::relu, .name = "conv1"});
//   tf::layers::Conv2D conv({.filters = 64, .kernel_size = {3, 3},
//                            .strides = 2, .data_format = "channels_first"});
//   auto z = conv(x);          // conv.kernel(): [3, 3, in, 64] (HWIO)
//
// Options are tf.layers.Conv2D's arguments in TF's order, so designated
// initializers read like the Python call; `reuse` is the functional form's.
// The kernel is [k..., in, filters] whatever the data format. Arguments are
// validated at construction, inputs at the call, with TF's ValueError texts.
#ifndef MINITF_LAYERS_CONVOLUTIONAL_H_
#define MINITF_LAYERS_CONVOLUTIONAL_H_

#include <string>
#include <vector>

#include "minitf/layers/conv_utils.h"
#include "minitf/layers/layer.h"
#include "minitf/variables/initializers.h"

namespace minitf::layers {

struct ConvOptions {
  int64_t filters = 0;
  IntTuple kernel_size;  // required: an int or one int per spatial dim
  IntTuple strides = 1;
  std::string padding = "valid";  // "valid" or "same" ("causal": Conv1D)
  std::string data_format = "channels_last";  // or "channels_first"
  IntTuple dilation_rate = 1;
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
  Reuse reuse;  // functional forms (and TF's _reuse)
};
using Conv1DOptions = ConvOptions;
using Conv2DOptions = ConvOptions;
using Conv3DOptions = ConvOptions;

// keras' Conv base: `rank` spatial dims.
class Conv : public Layer {
 public:
  Conv(int rank, absl::string_view class_name, const ConvOptions& options,
       const LayerName& scope = {});

  int rank() const { return rank_; }
  int64_t filters() const { return filters_; }
  const std::vector<int64_t>& kernel_size() const { return kernel_size_; }
  const std::vector<int64_t>& strides() const { return strides_; }
  const std::string& padding() const { return padding_; }
  const std::string& data_format() const { return data_format_; }
  const std::vector<int64_t>& dilation_rate() const { return dilation_rate_; }
  bool use_bias() const { return options_.use_bias; }
  const Activation& activation() const { return options_.activation; }
  const Constraint& kernel_constraint() const {
    return options_.kernel_constraint;
  }
  const Constraint& bias_constraint() const { return options_.bias_constraint; }
  // Null before build; bias() stays null without use_bias.
  const Variable& kernel() const { return kernel_; }
  const Variable& bias() const { return bias_; }

 protected:
  void Build(const Shape& input_shape) override;
  Output Call(Output inputs, const Training& training) override;

 private:
  int channel_axis() const { return data_format_ == "channels_first" ? 1 : -1; }

  int rank_;
  ConvOptions options_;
  int64_t filters_;
  std::vector<int64_t> kernel_size_, strides_, dilation_rate_;
  std::string padding_, data_format_;
  Variable kernel_, bias_;
};

class Conv1D : public Conv {
 public:
  explicit Conv1D(const Conv1DOptions& options, const LayerName& scope = {})
      : Conv(1, "Conv1D", options, scope) {}
};
class Conv2D : public Conv {
 public:
  explicit Conv2D(const Conv2DOptions& options, const LayerName& scope = {})
      : Conv(2, "Conv2D", options, scope) {}
};
class Conv3D : public Conv {
 public:
  explicit Conv3D(const Conv3DOptions& options, const LayerName& scope = {})
      : Conv(3, "Conv3D", options, scope) {}
};

// Functional forms: Conv*D(options, _scope=name, _reuse=reuse).apply(inputs).
Output conv1d(Output inputs, const Conv1DOptions& options);
Output conv2d(Output inputs, const Conv2DOptions& options);
Output conv3d(Output inputs, const Conv3DOptions& options);

}  // namespace minitf::layers

#endif  // MINITF_LAYERS_CONVOLUTIONAL_H_
