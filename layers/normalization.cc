#include "minitf/layers/normalization.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "minitf/core/errors.h"
#include "minitf/graph/context.h"
#include "minitf/layers/smart_cond.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/nn/batch_norm_ops.h"

namespace minitf::layers {

BatchNormalization::BatchNormalization(const BatchNormalizationOptions& o,
                                       const LayerName& scope)
    : Layer("BatchNormalization", {.trainable = o.trainable,
                                   .name = o.name,
                                   .scope = scope,
                                   .reuse = o.reuse}),
      options_(o) {
  if (o.axis.is_none()) ThrowValueError("axis must be an int or a list");
  axis_ = o.axis.values();
}

void BatchNormalization::Build(const Shape& input_shape) {
  if (!input_shape.has_rank() || input_shape.rank() == 0) {
    ThrowValueError(
        absl::StrCat("Input has undefined rank: ", input_shape.ToString()));
  }
  const int ndims = input_shape.rank();
  for (int64_t& a : axis_) {
    if (a < 0) a += ndims;
    if (a < 0 || a >= ndims) ThrowValueError(absl::StrCat("Invalid axis: ", a));
  }
  std::vector<int64_t> sorted = axis_;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    ThrowValueError(
        absl::StrCat("Duplicate axis: [", absl::StrJoin(axis_, ", "), "]"));
  }
  // TF 1.15's tf.layers (keras' V1 behaviour): fused exactly for a 4-D
  // input normalized over axis 1 (NCHW) or 3 (NHWC); elsewhere, fused=True
  // included, the composite path runs. The paths differ visibly: the fused
  // one feeds the moving variance the Bessel-corrected batch variance.
  const bool fusable =
      ndims == 4 && axis_.size() == 1 && (axis_[0] == 1 || axis_[0] == 3);
  fused_ = options_.fused.value_or(true) && fusable;

  InputSpec spec{.ndim = ndims};
  std::vector<int64_t> param_dims;
  for (int64_t a : axis_) {
    const int64_t dim = input_shape.dim(static_cast<int>(a));
    if (dim < 0) {
      ThrowValueError(
          absl::StrCat("Input has undefined `axis` dimension. Input shape: ",
                       input_shape.ToString()));
    }
    spec.axes[a] = dim;
  }
  set_input_spec(spec);
  if (axis_.size() == 1) {
    param_dims = {input_shape.dim(static_cast<int>(axis_[0]))};
  } else {
    for (int i = 0; i < ndims; ++i) {
      param_dims.push_back(spec.axes.count(i) ? spec.axes[i] : 1);
    }
  }
  const Shape param_shape(param_dims);
  if (options_.scale) {
    gamma_ = add_weight("gamma", {.shape = param_shape,
                                  .initializer = options_.gamma_initializer,
                                  .regularizer = options_.gamma_regularizer,
                                  .trainable = true,
                                  .constraint = options_.gamma_constraint});
  }
  if (options_.center) {
    beta_ = add_weight("beta", {.shape = param_shape,
                                .initializer = options_.beta_initializer,
                                .regularizer = options_.beta_regularizer,
                                .trainable = true,
                                .constraint = options_.beta_constraint});
  }
  moving_mean_ = add_weight(
      "moving_mean", {.shape = param_shape,
                      .initializer = options_.moving_mean_initializer,
                      .trainable = false,
                      .synchronization = VariableSynchronization::ON_READ,
                      .aggregation = VariableAggregation::MEAN});
  moving_variance_ = add_weight(
      "moving_variance", {.shape = param_shape,
                          .initializer = options_.moving_variance_initializer,
                          .trainable = false,
                          .synchronization = VariableSynchronization::ON_READ,
                          .aggregation = VariableAggregation::MEAN});
}

Output BatchNormalization::Call(Output inputs, const Training& training) {
  const std::variant<bool, Output> pred = training.value_or(false);
  return fused_ ? CallFused(inputs, pred) : CallComposite(inputs, pred);
}

Output BatchNormalization::AssignMovingAverage(const Variable& variable,
                                               Output value, Output momentum) {
  name_scope scope(std::nullopt, "AssignMovingAvg");
  Output decay = subtract(constant(1.0f), momentum, "decay");
  Output delta = multiply(subtract(variable, value, "sub"), decay, "mul");
  return variable.assign_sub(delta, scope.name());
}

namespace {

// The momentum the updates use: 1 (no change) when not training.
Output UpdateMomentum(const std::variant<bool, Output>& pred, float momentum) {
  if (std::holds_alternative<bool>(pred)) return constant(momentum);
  return SmartCond(
      pred, [&] { return constant(momentum); }, [] { return constant(1.0f); });
}

bool IsConstantFalse(const std::variant<bool, Output>& pred) {
  const bool* b = std::get_if<bool>(&pred);
  return b != nullptr && !*b;
}

}  // namespace

Output BatchNormalization::CallFused(Output inputs,
                                     const std::variant<bool, Output>& pred) {
  const int ndims = inputs.shape().rank();
  const std::string format = axis_[0] == 1 && ndims > 2 ? "NCHW" : "NHWC";
  const Shape param_shape = moving_mean_.shape();
  Output gamma = options_.scale ? Output(gamma_) : ones(param_shape);
  Output beta = options_.center ? Output(beta_) : zeros(param_shape);
  const float epsilon = options_.epsilon;
  std::vector<Output> outs = SmartCond(
      pred,
      [&] {
        auto r = nn::fused_batch_norm(
            inputs, gamma, beta, {.epsilon = epsilon, .data_format = format});
        return std::vector<Output>{r.y, r.batch_mean, r.batch_variance};
      },
      [&] {
        auto r = nn::fused_batch_norm(inputs, gamma, beta,
                                      {.mean = moving_mean_.value(),
                                       .variance = moving_variance_.value(),
                                       .epsilon = epsilon,
                                       .data_format = format,
                                       .is_training = false});
        return std::vector<Output>{r.y, r.batch_mean, r.batch_variance};
      });
  if (IsConstantFalse(pred)) return outs[0];
  // The moving variance takes the Bessel-corrected batch variance, as
  // TF's fused path does.
  const Output momentum = UpdateMomentum(pred, options_.momentum);
  add_update(AssignMovingAverage(moving_mean_, outs[1], momentum), inputs);
  add_update(AssignMovingAverage(moving_variance_, outs[2], momentum), inputs);
  return outs[0];
}

Output BatchNormalization::CallComposite(
    Output inputs, const std::variant<bool, Output>& pred) {
  const int ndims = inputs.shape().rank();
  std::vector<int64_t> reduction_axes;
  for (int i = 0; i < ndims; ++i) {
    if (std::find(axis_.begin(), axis_.end(), i) == axis_.end()) {
      reduction_axes.push_back(i);
    }
  }
  // A single axis other than the last needs its [C] parameters reshaped to
  // broadcast against the input.
  const bool reshape_params = axis_.size() == 1 && axis_[0] != ndims - 1;
  std::vector<int64_t> broadcast_shape(ndims, 1);
  if (reshape_params) broadcast_shape[axis_[0]] = moving_mean_.shape().dim(0);
  auto broadcast = [&](Output v) {
    return reshape_params && !v.is_null() ? reshape(v, broadcast_shape) : v;
  };
  Output mean = moving_mean_.value();
  Output variance = moving_variance_.value();
  if (!IsConstantFalse(pred)) {
    const nn::Moments m =
        nn::moments(inputs, reduction_axes, /*keep_dims=*/axis_.size() > 1);
    mean = SmartCond(
        pred, [&] { return m.mean; }, [&] { return mean; });
    variance = SmartCond(
        pred, [&] { return m.variance; }, [&] { return variance; });
    const Output momentum = constant(options_.momentum);
    for (auto [var, value] : {std::pair{moving_mean_, m.mean},
                              std::pair{moving_variance_, m.variance}}) {
      Output update = SmartCond(
          pred, [&] { return AssignMovingAverage(var, value, momentum); },
          [&] { return var.value(); });
      add_update(update, inputs);
    }
  }
  return nn::batch_normalization(inputs, broadcast(mean), broadcast(variance),
                                 options_.center ? broadcast(beta_) : Output(),
                                 options_.scale ? broadcast(gamma_) : Output(),
                                 options_.epsilon);
}

Output batch_normalization(Output inputs,
                           const BatchNormalizationOptions& options,
                           Training training) {
  return BatchNormalization(options, options.name).apply(inputs, training);
}

}  // namespace minitf::layers
