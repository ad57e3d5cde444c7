#include "minitf/train/losses.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"
#include "minitf/graph/context.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/array/shape_ops.h"
#include "minitf/ops/math/div_no_nan.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/nn/activation_ops.h"
#include "minitf/ops/nn/softmax_ops.h"

namespace minitf::losses {
namespace {

std::optional<std::string> ScopeName(const std::string& scope) {
  return scope.empty() ? std::nullopt : std::optional<std::string>(scope);
}

void RequireInputs(const Output& labels, const char* labels_name,
                   const Output& predictions, const char* predictions_name) {
  if (labels.is_null())
    ThrowValueError(absl::StrCat(labels_name, " must not be None."));
  if (predictions.is_null())
    ThrowValueError(absl::StrCat(predictions_name, " must not be None."));
}

// TensorShape.assert_is_compatible_with.
void AssertCompatible(const Output& a, const Output& b) {
  if (!a.shape().IsCompatibleWith(b.shape())) {
    ThrowValueError(absl::StrCat("Shapes ", a.shape().ToString(), " and ",
                                 b.shape().ToString(), " are incompatible"));
  }
}

// weights_broadcast_ops.assert_broadcastable, on static shapes.
void AssertBroadcastable(const Output& weights, const Output& values) {
  const Shape &w = weights.shape(), &v = values.shape();
  if (!w.has_rank() || !v.has_rank() || w.rank() == 0) return;
  constexpr const char* kMessage = "weights can not be broadcast to values.";
  if (w.rank() != v.rank()) {
    ThrowValueError(absl::StrCat(kMessage, " values.rank=", v.rank(),
                                 ". weights.rank=", w.rank(),
                                 ". values.shape=", v.ToString(),
                                 ". weights.shape=", w.ToString(), "."));
  }
  if (!w.IsFullyDefined() || !v.IsFullyDefined()) return;
  for (int i = 0; i < w.rank(); ++i) {
    if (w.dim(i) != 1 && w.dim(i) != v.dim(i)) {
      ThrowValueError(
          absl::StrCat(kMessage, " weights.shape=", w.ToString(), "."));
    }
  }
}

// weights_broadcast_ops.broadcast_weights.
Output BroadcastWeights(Output weights, Output values) {
  name_scope scope(std::nullopt, "broadcast_weights");
  if (weights.shape().IsFullyDefined() && weights.shape() == values.shape()) {
    return weights;
  }
  return multiply(weights, ones_like(values), scope.name());
}

// The number of elements with a nonzero weight (TF's _num_present).
Output NumPresent(Output losses, Output weights) {
  name_scope scope(std::nullopt, "num_present");
  Output present = cast(not_equal(weights, constant(0.0f)), DataType::kFloat);
  present = BroadcastWeights(present, losses);
  return reduce_sum(present, {.name = scope.name()});
}

// The number of losses, as float32 (TF's _num_elements).
Output NumElements(Output losses) {
  name_scope scope(std::nullopt, "num_elements");
  if (losses.shape().IsFullyDefined()) {
    return constant(static_cast<float>(losses.shape().num_elements()),
                    scope.name());
  }
  return reduce_sum(ones_like(losses), {.name = scope.name()});
}

// TF's _safe_mean: the sum over `denominator`, 0 when it is 0.
Output SafeMean(Output losses, Output denominator) {
  return div_no_nan(reduce_sum(losses), denominator, "value");
}

// TF's _remove_squeezable_dimensions with static ranks: a trailing
// dimension of 1 goes from whichever of labels and predictions has one
// dimension too many, and from weights when they have one more dimension
// than the labels. Unknown ranks are left alone.
void RemoveSqueezableDimensions(Output& labels, Output& predictions,
                                Output& weights, int expected_rank_diff) {
  const Shape &l = labels.shape(), &p = predictions.shape();
  // A last dimension that is, or may be, 1.
  auto squeezable = [](const Shape& s) {
    return s.rank() > 0 &&
           (s.dim(s.rank() - 1) == 1 || s.dim(s.rank() - 1) < 0);
  };
  {
    name_scope scope(std::nullopt, "remove_squeezable_dimensions");
    if (l.has_rank() && p.has_rank()) {
      const int diff = p.rank() - l.rank();
      if (diff == expected_rank_diff + 1 && squeezable(p)) {
        predictions = squeeze(predictions, {-1});
      } else if (diff == expected_rank_diff - 1 && squeezable(l)) {
        labels = squeeze(labels, {-1});
      }
    }
  }
  const Shape& w = weights.shape();
  if (labels.shape().has_rank() && w.has_rank() &&
      w.rank() - labels.shape().rank() == 1) {
    weights = squeeze(weights, {-1});
  }
}

// compute_weighted_loss inside an entered name scope.
Output WeightedLoss(Output losses, Output weights,
                    const std::string& loss_collection,
                    const std::string& reduction) {
  AssertBroadcastable(weights, losses);
  const DataType input_dtype = losses.dtype();
  losses = cast(losses, DataType::kFloat);
  weights = cast(weights, DataType::kFloat);
  Output weighted = multiply(losses, weights);
  Output loss = weighted;
  if (reduction != Reduction::NONE) {
    loss = reduce_sum(weighted);
    if (reduction == Reduction::MEAN) {
      loss = SafeMean(loss, reduce_sum(multiply(ones_like(losses), weights)));
    } else if (reduction == Reduction::SUM_BY_NONZERO_WEIGHTS) {
      loss = SafeMean(loss, NumPresent(losses, weights));
    } else if (reduction == Reduction::SUM_OVER_BATCH_SIZE) {
      loss = SafeMean(loss, NumElements(losses));
    }
  }
  loss = cast(loss, input_dtype);
  if (!loss_collection.empty()) add_to_collection(loss_collection, loss);
  return loss;
}

std::vector<Output> Outputs(const std::vector<CollectionItem>& items) {
  std::vector<Output> outputs;
  for (const CollectionItem& item : items) {
    if (!item.output().is_null()) outputs.push_back(item.output());
  }
  return outputs;
}

// TF's add_n: a single input comes back as an identity named `name`.
Output AddN(const std::vector<Output>& inputs, const std::string& name) {
  if (inputs.size() == 1) return identity(inputs[0], name);
  return add_n(inputs, name);
}

}  // namespace

std::vector<std::string> Reduction::all() {
  return {NONE, SUM, MEAN, SUM_BY_NONZERO_WEIGHTS, SUM_OVER_BATCH_SIZE};
}

void Reduction::validate(const std::string& key) {
  std::vector<std::string> keys = all();
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
    ThrowValueError(absl::StrCat("Invalid Reduction Key ", key, "."));
  }
}

Output Weights::ToTensor() const {
  if (!tensor_.is_null()) return tensor_;
  return constant(static_cast<float>(value_));
}

Output compute_weighted_loss(Output losses, const LossOptions& options) {
  Reduction::validate(options.reduction);
  name_scope scope(ScopeName(options.scope), "weighted_loss");
  return WeightedLoss(losses, options.weights.ToTensor(),
                      options.loss_collection, options.reduction);
}

namespace {

// The elementwise losses that compare labels with predictions of the same
// shape: `fn(labels, predictions)` in scope `default_scope`, weighted.
template <typename Fn>
Output ElementwiseLoss(Output labels, Output predictions,
                       const char* predictions_name,
                       const std::string& default_scope,
                       const LossOptions& options, Fn fn) {
  RequireInputs(labels, "labels", predictions, predictions_name);
  name_scope scope(ScopeName(options.scope), default_scope);
  predictions = cast(predictions, DataType::kFloat);
  labels = cast(labels, DataType::kFloat);
  AssertCompatible(predictions, labels);
  Output losses = fn(labels, predictions);
  LossOptions weighted = options;
  weighted.scope = scope.name();
  return compute_weighted_loss(losses, weighted);
}

}  // namespace

Output absolute_difference(Output labels, Output predictions,
                           const LossOptions& options) {
  return ElementwiseLoss(labels, predictions, "predictions",
                         "absolute_difference", options,
                         [](Output l, Output p) { return abs(p - l); });
}

Output mean_squared_error(Output labels, Output predictions,
                          const LossOptions& options) {
  return ElementwiseLoss(
      labels, predictions, "predictions", "mean_squared_error", options,
      [](Output l, Output p) { return squared_difference(p, l); });
}

Output log_loss(Output labels, Output predictions,
                const LogLossOptions& options) {
  const float epsilon = options.epsilon;
  return ElementwiseLoss(labels, predictions, "predictions", "log_loss",
                         {.weights = options.weights,
                          .scope = options.scope,
                          .loss_collection = options.loss_collection,
                          .reduction = options.reduction},
                         [epsilon](Output l, Output p) {
                           Output one = constant(1.0f);
                           Output eps = constant(epsilon);
                           return -multiply(l, log(p + eps)) -
                                  multiply(one - l, log(one - p + eps));
                         });
}

Output hinge_loss(Output labels, Output logits, const LossOptions& options) {
  return ElementwiseLoss(
      labels, logits, "logits", "hinge_loss", options, [](Output l, Output x) {
        Output all_ones = ones_like(l);
        // Labels {0, 1} become {-1, 1}.
        Output signs = subtract(constant(2.0f) * l, all_ones);
        return nn::relu(subtract(all_ones, multiply(signs, x)));
      });
}

Output softmax_cross_entropy(Output onehot_labels, Output logits,
                             const SmoothedLossOptions& options) {
  RequireInputs(onehot_labels, "onehot_labels", logits, "logits");
  name_scope scope(ScopeName(options.scope), "softmax_cross_entropy_loss");
  onehot_labels = cast(onehot_labels, logits.dtype());
  AssertCompatible(logits, onehot_labels);
  if (options.label_smoothing > 0) {
    const Shape& s = onehot_labels.shape();
    if (!s.has_rank() || s.rank() == 0 || s.dim(s.rank() - 1) < 0) {
      ThrowValueError(absl::StrCat(
          "label_smoothing needs the number of classes: onehot_labels has "
          "shape ",
          s.ToString()));
    }
    const float num_classes = static_cast<float>(s.dim(s.rank() - 1));
    onehot_labels = onehot_labels * constant(1.0f - options.label_smoothing) +
                    constant(options.label_smoothing / num_classes);
  }
  onehot_labels = stop_gradient(onehot_labels, "labels_stop_gradient");
  Output losses = nn::softmax_cross_entropy_with_logits_v2(
      onehot_labels, logits, {.name = "xentropy"});
  return compute_weighted_loss(losses,
                               {.weights = options.weights,
                                .scope = scope.name(),
                                .loss_collection = options.loss_collection,
                                .reduction = options.reduction});
}

Output sigmoid_cross_entropy(Output multi_class_labels, Output logits,
                             const SmoothedLossOptions& options) {
  RequireInputs(multi_class_labels, "multi_class_labels", logits, "logits");
  name_scope scope(ScopeName(options.scope), "sigmoid_cross_entropy_loss");
  multi_class_labels = cast(multi_class_labels, logits.dtype());
  AssertCompatible(logits, multi_class_labels);
  if (options.label_smoothing > 0) {
    multi_class_labels =
        multi_class_labels * constant(1.0f - options.label_smoothing) +
        constant(0.5f * options.label_smoothing);
  }
  Output losses;
  {
    // tf.nn.sigmoid_cross_entropy_with_logits, in the stable form.
    name_scope xent("xentropy");
    losses = add(nn::relu(logits) - logits * multi_class_labels,
                 log(constant(1.0f) + exp(-abs(logits))), xent.name());
  }
  return compute_weighted_loss(losses,
                               {.weights = options.weights,
                                .scope = scope.name(),
                                .loss_collection = options.loss_collection,
                                .reduction = options.reduction});
}

Output sparse_softmax_cross_entropy(Output labels, Output logits,
                                    const LossOptions& options) {
  RequireInputs(labels, "labels", logits, "logits");
  name_scope scope(ScopeName(options.scope),
                   "sparse_softmax_cross_entropy_loss");
  Output weights = options.weights.ToTensor();
  // Labels hold class ids, logits one value per class: rank difference 1.
  RemoveSqueezableDimensions(labels, logits, weights, 1);
  Output losses =
      nn::sparse_softmax_cross_entropy_with_logits(labels, logits, "xentropy");
  return compute_weighted_loss(losses,
                               {.weights = weights,
                                .scope = scope.name(),
                                .loss_collection = options.loss_collection,
                                .reduction = options.reduction});
}

std::vector<Output> get_losses(const std::string& scope,
                               const std::string& loss_collection) {
  return Outputs(get_collection(loss_collection, scope));
}

std::vector<Output> get_regularization_losses(const std::string& scope) {
  return Outputs(get_collection(GraphKeys::REGULARIZATION_LOSSES, scope));
}

Output get_regularization_loss(const std::string& scope,
                               const std::string& name) {
  std::vector<Output> losses = get_regularization_losses(scope);
  if (losses.empty()) return constant(0.0f);
  return AddN(losses, name);
}

Output get_total_loss(bool add_regularization_losses, const std::string& name,
                      const std::string& scope) {
  std::vector<Output> losses = get_losses(scope);
  if (add_regularization_losses) {
    std::vector<Output> reg = get_regularization_losses(scope);
    losses.insert(losses.end(), reg.begin(), reg.end());
  }
  if (losses.empty()) {
    ThrowValueError(
        "inputs must be a list of at least one Tensor/IndexedSlices with the "
        "same dtype and shape");
  }
  return AddN(losses, name);
}

}  // namespace minitf::losses
