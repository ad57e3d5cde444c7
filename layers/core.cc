#include "minitf/layers/core.h"

#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"
#include "minitf/layers/conv_utils.h"
#include "minitf/layers/layer_utils.h"
#include "minitf/layers/smart_cond.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/array/shape_ops.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/nn/activation_ops.h"

namespace minitf::layers {

Dense::Dense(const DenseOptions& o, const LayerName& scope)
    : Layer("Dense", {.trainable = o.trainable,
                      .name = o.name,
                      .activity_regularizer = o.activity_regularizer,
                      .scope = scope,
                      .reuse = o.reuse}),
      options_(o) {
  if (o.units <= 0) {
    ThrowValueError(absl::StrCat(
        "Received an invalid value for `units`, expected a positive integer, "
        "got ",
        o.units, "."));
  }
  set_input_spec(InputSpec{.min_ndim = 2});
}

void Dense::Build(const Shape& input_shape) {
  if (!input_shape.has_rank() || input_shape.rank() < 1 ||
      input_shape.dim(input_shape.rank() - 1) < 0) {
    ThrowValueError(
        "The last dimension of the inputs to `Dense` should be defined. "
        "Found `None`.");
  }
  const int64_t last = input_shape.dim(input_shape.rank() - 1);
  set_input_spec(InputSpec{.min_ndim = 2, .axes = {{-1, last}}});
  kernel_ = add_weight("kernel", {.shape = Shape{last, options_.units},
                                  .initializer = options_.kernel_initializer,
                                  .regularizer = options_.kernel_regularizer,
                                  .trainable = true,
                                  .constraint = options_.kernel_constraint});
  if (options_.use_bias) {
    bias_ = add_weight("bias", {.shape = Shape{options_.units},
                                .initializer = options_.bias_initializer,
                                .regularizer = options_.bias_regularizer,
                                .trainable = true,
                                .constraint = options_.bias_constraint});
  }
}

Output Dense::Call(Output inputs, const Training&) {
  const Shape& shape = inputs.shape();
  Output outputs;
  if (shape.rank() > 2) {
    // TF's tensordot over the last axis: a matmul on [-1, in] rows, then
    // the leading dims back.
    const int64_t last = shape.dim(shape.rank() - 1);
    Output rows = reshape(inputs, {-1, last});
    outputs = matmul(rows, kernel_);
    std::vector<int64_t> out_dims(shape.dims().begin(), shape.dims().end());
    out_dims.back() = options_.units;
    outputs = ReshapeLeading(outputs, inputs, out_dims);
  } else {
    outputs = matmul(inputs, kernel_);
  }
  if (options_.use_bias) outputs = nn::bias_add(outputs, bias_);
  if (options_.activation) outputs = options_.activation(outputs);
  return outputs;
}

Output dense(Output inputs, const DenseOptions& options) {
  return Dense(options, options.name).apply(inputs);
}

Dropout::Dropout(const DropoutLayerOptions& o)
    : Layer("Dropout", {.name = o.name}), options_(o) {}

Output Dropout::Call(Output inputs, const Training& training) {
  return SmartCond(
      training.value_or(false),
      [&] {
        return nn::dropout(inputs, {.noise_shape = options_.noise_shape,
                                    .seed = options_.seed,
                                    .rate = options_.rate});
      },
      [&] { return identity(inputs); });
}

Output dropout(Output inputs, const DropoutLayerOptions& options,
               Training training) {
  return Dropout(options).apply(inputs, training);
}

Flatten::Flatten(const FlattenOptions& o)
    : Layer("Flatten", {.name = o.name}),
      data_format_(NormalizeDataFormat(o.data_format)) {
  set_input_spec(InputSpec{.min_ndim = 1});
}

Output Flatten::Call(Output inputs, const Training&) {
  const int rank = inputs.shape().rank();
  if (data_format_ == "channels_first" && rank > 1) {
    std::vector<int64_t> perm = {0};
    for (int i = 2; i < rank; ++i) perm.push_back(i);
    perm.push_back(1);
    inputs = transpose(inputs, perm);
  }
  return FlattenToRows(inputs);
}

Output flatten(Output inputs, const FlattenOptions& options) {
  return Flatten(options).apply(inputs);
}

}  // namespace minitf::layers
