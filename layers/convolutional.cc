#include "minitf/layers/convolutional.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/array/pad_tile_ops.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/nn/activation_ops.h"
#include "minitf/ops/nn/conv_ops.h"

namespace minitf::layers {
namespace {

LayerArgs ConvLayerArgs(const ConvOptions& o, const LayerName& scope) {
  return {.trainable = o.trainable,
          .name = o.name,
          .activity_regularizer = o.activity_regularizer,
          .scope = scope,
          .reuse = o.reuse};
}

}  // namespace

Conv::Conv(int rank, absl::string_view class_name, const ConvOptions& o,
           const LayerName& scope)
    : Layer(class_name, ConvLayerArgs(o, scope)),
      rank_(rank),
      options_(o),
      filters_(o.filters) {
  if (filters_ <= 0) {
    ThrowValueError(absl::StrCat(
        "Invalid value for argument `filters`. Expected a strictly positive "
        "value. Received filters=",
        filters_, "."));
  }
  kernel_size_ = NormalizeTuple(o.kernel_size, rank, "kernel_size");
  strides_ = NormalizeTuple(o.strides, rank, "strides");
  padding_ = NormalizePadding(o.padding);
  if (padding_ == "causal" && rank != 1) {
    ThrowValueError(
        "Causal padding is only supported for `Conv1D`and ``SeparableConv1D`.");
  }
  data_format_ = NormalizeDataFormat(o.data_format);
  dilation_rate_ = NormalizeTuple(o.dilation_rate, rank, "dilation_rate");
  set_input_spec(InputSpec{.ndim = rank + 2});
}

void Conv::Build(const Shape& input_shape) {
  if (!input_shape.has_rank() || input_shape.rank() != rank_ + 2) {
    ThrowValueError(
        absl::StrCat("Input 0 of layer ", name(),
                     " is incompatible with the layer: expected "
                     "ndim=",
                     rank_ + 2, ", found ndim=", input_shape.rank(),
                     ". Full shape received: ", PythonShapeList(input_shape)));
  }
  const int axis = channel_axis() < 0 ? input_shape.rank() - 1 : 1;
  const int64_t input_dim = input_shape.dim(axis);
  if (input_dim < 0) {
    ThrowValueError(
        "The channel dimension of the inputs should be defined. Found `None`.");
  }
  std::vector<int64_t> kernel_shape = kernel_size_;
  kernel_shape.push_back(input_dim);
  kernel_shape.push_back(filters_);
  kernel_ = add_weight("kernel", {.shape = Shape(kernel_shape),
                                  .initializer = options_.kernel_initializer,
                                  .regularizer = options_.kernel_regularizer,
                                  .trainable = true,
                                  .constraint = options_.kernel_constraint});
  if (options_.use_bias) {
    bias_ = add_weight("bias", {.shape = Shape{filters_},
                                .initializer = options_.bias_initializer,
                                .regularizer = options_.bias_regularizer,
                                .trainable = true,
                                .constraint = options_.bias_constraint});
  }
  set_input_spec(
      InputSpec{.ndim = rank_ + 2, .axes = {{channel_axis(), input_dim}}});
}

Output Conv::Call(Output inputs, const Training&) {
  static constexpr const char* kOpNames[] = {"conv1d", "Conv2D", "Conv3D"};
  const std::string format = ConvertDataFormat(data_format_, rank_ + 2);
  std::string op_padding = absl::AsciiStrToUpper(padding_);
  if (padding_ == "causal") {
    // Left-pad the time axis so output t sees inputs up to t only.
    const int64_t left = dilation_rate_[0] * (kernel_size_[0] - 1);
    const bool first = data_format_ == "channels_first";
    inputs = pad(
        inputs,
        first ? std::vector<std::array<int64_t, 2>>{{0, 0}, {0, 0}, {left, 0}}
              : std::vector<std::array<int64_t, 2>>{{0, 0}, {left, 0}, {0, 0}});
    op_padding = "VALID";
  }
  Output outputs = nn::convolution(inputs, kernel_,
                                   {.padding = op_padding,
                                    .strides = strides_,
                                    .dilation_rate = dilation_rate_,
                                    .name = kOpNames[rank_ - 1],
                                    .data_format = format});
  if (options_.use_bias) {
    if (data_format_ == "channels_first" && rank_ == 1) {
      // TF: nn.bias_add does not take this layout; a broadcast add.
      outputs = outputs + reshape(bias_, {1, filters_, 1});
    } else {
      outputs = nn::bias_add(
          outputs, bias_,
          {.data_format = data_format_ == "channels_first" ? "NCHW" : "NHWC"});
    }
  }
  if (options_.activation) outputs = options_.activation(outputs);
  return outputs;
}

Output conv1d(Output inputs, const Conv1DOptions& options) {
  return Conv1D(options, options.name).apply(inputs);
}
Output conv2d(Output inputs, const Conv2DOptions& options) {
  return Conv2D(options, options.name).apply(inputs);
}
Output conv3d(Output inputs, const Conv3DOptions& options) {
  return Conv3D(options, options.name).apply(inputs);
}

}  // namespace minitf::layers
