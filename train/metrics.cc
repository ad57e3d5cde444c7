#include "minitf/train/metrics.h"

#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"
#include "minitf/graph/context.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/array/shape_ops.h"
#include "minitf/ops/math/div_no_nan.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/state/state_ops.h"
#include "minitf/variables/variable.h"
#include "minitf/variables/variable_scope.h"

namespace minitf::metrics {
namespace {

// TF's metric_variable: a local float32 scalar of zeros.
Variable MetricVariable(const std::string& name) {
  return Variable(
      [] { return zeros(Shape(), DataType::kFloat); },
      {.trainable = false,
       .collections = std::vector<std::string>{GraphKeys::LOCAL_VARIABLES,
                                               METRIC_VARIABLES},
       .name = name});
}

// A trailing dimension that is, or may be, 1.
bool Squeezable(const Shape& s) {
  return s.has_rank() && s.rank() > 0 &&
         (s.dim(s.rank() - 1) == 1 || s.dim(s.rank() - 1) < 0);
}

// metrics_impl._remove_squeezable_dimensions with static ranks: labels and
// predictions lose a trailing 1 so their ranks match; weights are squeezed
// or expanded by one trailing dimension to the predictions' rank.
void RemoveSqueezableDimensions(Output& predictions, Output* labels,
                                Output& weights) {
  if (labels != nullptr) {
    const Shape &l = labels->shape(), &p = predictions.shape();
    if (l.has_rank() && p.has_rank()) {
      name_scope scope(std::nullopt, "remove_squeezable_dimensions");
      const int diff = p.rank() - l.rank();
      if (diff == 1 && Squeezable(p)) {
        predictions = squeeze(predictions, {-1});
      } else if (diff == -1 && Squeezable(l)) {
        *labels = squeeze(*labels, {-1});
      }
    }
    if (!predictions.shape().IsCompatibleWith(labels->shape())) {
      ThrowValueError(absl::StrCat("Shapes ", predictions.shape().ToString(),
                                   " and ", labels->shape().ToString(),
                                   " are incompatible"));
    }
  }
  if (weights.is_null()) return;
  const Shape &w = weights.shape(), &p = predictions.shape();
  if (!w.has_rank() || w.rank() == 0 || !p.has_rank()) return;
  if (w.rank() - p.rank() == 1) {
    weights = squeeze(weights, {-1});
  } else if (p.rank() - w.rank() == 1) {
    weights = expand_dims(weights, -1);
  }
}

// The element count of `values` as float32 (TF: cast(size(values))).
Output NumValues(Output values) {
  if (values.shape().IsFullyDefined()) {
    return constant(static_cast<float>(values.shape().num_elements()));
  }
  return reduce_sum(ones_like(values));
}

}  // namespace

std::pair<Output, Output> mean(Output values, const MetricOptions& options) {
  if (values.is_null()) ThrowValueError("values must not be None.");
  variable_scope scope(options.name.empty() ? std::string("mean")
                                            : options.name);
  values = cast(values, DataType::kFloat);
  Variable total = MetricVariable("total");
  Variable count = MetricVariable("count");
  Output num_values;
  if (options.weights.is_null()) {
    num_values = NumValues(values);
  } else {
    Output weights = options.weights;
    RemoveSqueezableDimensions(values, nullptr, weights);
    weights = cast(weights, DataType::kFloat);
    {
      name_scope broadcast(std::nullopt, "broadcast_weights");
      if (!(weights.shape().IsFullyDefined() &&
            weights.shape() == values.shape())) {
        weights = multiply(weights, ones_like(values), broadcast.name());
      }
    }
    values = multiply(values, weights);
    num_values = reduce_sum(weights);
  }
  Output update_total = assign_add(total.ref(), reduce_sum(values));
  Output update_count;
  {
    control_dependencies after_values({values});  // as TF orders it
    update_count = assign_add(count.ref(), num_values);
  }
  Output zero = constant(0.0f);
  Output value =
      div_no_nan(total.value(), maximum(count.value(), zero), "value");
  Output update_op =
      div_no_nan(update_total, maximum(update_count, zero), "update_op");
  for (const std::string& c : options.metrics_collections)
    add_to_collection(c, value);
  for (const std::string& c : options.updates_collections)
    add_to_collection(c, update_op);
  return {value, update_op};
}

std::pair<Output, Output> accuracy(Output labels, Output predictions,
                                   const MetricOptions& options) {
  if (labels.is_null()) ThrowValueError("labels must not be None.");
  if (predictions.is_null()) ThrowValueError("predictions must not be None.");
  Output weights = options.weights;
  RemoveSqueezableDimensions(predictions, &labels, weights);
  if (labels.dtype() != predictions.dtype()) {
    predictions = cast(predictions, labels.dtype());
  }
  Output is_correct = cast(equal(predictions, labels), DataType::kFloat);
  MetricOptions mean_options = options;
  mean_options.weights = weights;
  if (mean_options.name.empty()) mean_options.name = "accuracy";
  return mean(is_correct, mean_options);
}

}  // namespace minitf::metrics
