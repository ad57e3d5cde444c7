// Losses: TF1's tf.losses (tensorflow/python/ops/losses/losses_impl.py).
// Each loss computes per-element losses, weights them and reduces them
// (compute_weighted_loss), in name scope `scope` or its default
// ("sparse_softmax_cross_entropy_loss", ...), and adds the result to
// loss_collection (LOSSES). A reduced loss is named "<scope>/value".
//
//   auto loss = tf::losses::sparse_softmax_cross_entropy(labels, logits);
//   auto mse = tf::losses::mean_squared_error(y, pred, {.weights = w});
//   auto total = tf::losses::get_total_loss();   // + REGULARIZATION_LOSSES
//
// Reductions (TF's Reduction strings): NONE keeps the weighted per-element
// losses; SUM sums them; MEAN divides the sum by the sum of the weights;
// SUM_OVER_BATCH_SIZE by the number of elements; SUM_BY_NONZERO_WEIGHTS
// (the default) by the number of nonzero weights. Every division is
// div_no_nan, so zero weights give 0. Inputs are cast to float32. Weights
// must broadcast to the losses: scalar, or of the losses' rank with each
// dimension 1 or equal (checked when the shapes are known).
#ifndef MINITF_TRAIN_LOSSES_H_
#define MINITF_TRAIN_LOSSES_H_

#include <string>
#include <vector>

#include "minitf/graph/collections.h"
#include "minitf/graph/node.h"

namespace minitf::losses {

// TF's tf.losses.Reduction, with its string values.
struct Reduction {
  static constexpr const char* NONE = "none";
  static constexpr const char* SUM = "weighted_sum";
  static constexpr const char* SUM_OVER_BATCH_SIZE =
      "weighted_sum_over_batch_size";
  static constexpr const char* MEAN = "weighted_mean";
  static constexpr const char* SUM_BY_NONZERO_WEIGHTS =
      "weighted_sum_by_nonzero_weights";
  static constexpr const char* SUM_OVER_NONZERO_WEIGHTS =
      SUM_BY_NONZERO_WEIGHTS;
  // Every valid key.
  static std::vector<std::string> all();
  // Throws ValueError "Invalid Reduction Key <key>." for an unknown key.
  static void validate(const std::string& key);
};

// A loss's weights: a number (TF's default 1.0) or a tensor.
class Weights {
 public:
  Weights(double value) : value_(value) {}     // NOLINT
  Weights(Output tensor) : tensor_(tensor) {}  // NOLINT
  // As a float32 tensor.
  Output ToTensor() const;

 private:
  double value_ = 1.0;
  Output tensor_;
};

// The arguments after the labels and predictions, in TF's order.
struct LossOptions {
  Weights weights = 1.0;
  // The name scope; "" uses the loss's default name.
  std::string scope = "";
  // The collection the loss joins; "" adds it to none.
  std::string loss_collection = GraphKeys::LOSSES;
  std::string reduction = Reduction::SUM_BY_NONZERO_WEIGHTS;
};
struct LogLossOptions {
  Weights weights = 1.0;
  float epsilon = 1e-7f;
  std::string scope = "";
  std::string loss_collection = GraphKeys::LOSSES;
  std::string reduction = Reduction::SUM_BY_NONZERO_WEIGHTS;
};
struct SmoothedLossOptions {
  Weights weights = 1.0;
  // Labels become labels * (1 - s) + s / num_classes (softmax) or
  // labels * (1 - s) + s / 2 (sigmoid).
  float label_smoothing = 0.0f;
  std::string scope = "";
  std::string loss_collection = GraphKeys::LOSSES;
  std::string reduction = Reduction::SUM_BY_NONZERO_WEIGHTS;
};

// Weights `losses`, reduces them per options.reduction and adds the result
// to the collection. Default scope "weighted_loss".
Output compute_weighted_loss(Output losses, const LossOptions& options = {});

// |predictions - labels|. Default scope "absolute_difference".
Output absolute_difference(Output labels, Output predictions,
                           const LossOptions& options = {});
// (predictions - labels)^2. Default scope "mean_squared_error".
Output mean_squared_error(Output labels, Output predictions,
                          const LossOptions& options = {});
// -labels * log(p + eps) - (1 - labels) * log(1 - p + eps).
// Default scope "log_loss".
Output log_loss(Output labels, Output predictions,
                const LogLossOptions& options = {});
// relu(1 - (2 * labels - 1) * logits), labels in {0, 1}.
// Default scope "hinge_loss".
Output hinge_loss(Output labels, Output logits,
                  const LossOptions& options = {});
// Softmax cross-entropy of one-hot (or soft) labels [batch, classes];
// weights per example. The labels get no gradient. Default scope
// "softmax_cross_entropy_loss"; the per-example op "<scope>/xentropy".
// label_smoothing needs the class dimension known.
Output softmax_cross_entropy(Output onehot_labels, Output logits,
                             const SmoothedLossOptions& options = {});
// Sigmoid cross-entropy of labels in [0, 1], elementwise:
// max(x, 0) - x * z + log(1 + exp(-|x|)). Default scope
// "sigmoid_cross_entropy_loss".
Output sigmoid_cross_entropy(Output multi_class_labels, Output logits,
                             const SmoothedLossOptions& options = {});
// Softmax cross-entropy of class ids: labels [batch] (or [batch, 1],
// squeezed) int32/int64, logits [batch, classes]. Default scope
// "sparse_softmax_cross_entropy_loss"; the per-example op
// "<scope>/xentropy".
Output sparse_softmax_cross_entropy(Output labels, Output logits,
                                    const LossOptions& options = {});

// The tensors of `loss_collection` whose names match `scope`.
std::vector<Output> get_losses(
    const std::string& scope = "",
    const std::string& loss_collection = GraphKeys::LOSSES);
// The REGULARIZATION_LOSSES tensors matching `scope`.
std::vector<Output> get_regularization_losses(const std::string& scope = "");
// Their add_n named `name`, or a 0.0 constant when there are none.
Output get_regularization_loss(
    const std::string& scope = "",
    const std::string& name = "total_regularization_loss");
// add_n of get_losses() (plus the regularization losses), named `name`.
// Throws ValueError when there is no loss at all.
Output get_total_loss(bool add_regularization_losses = true,
                      const std::string& name = "total_loss",
                      const std::string& scope = "");

}  // namespace minitf::losses

#endif  // MINITF_TRAIN_LOSSES_H_
