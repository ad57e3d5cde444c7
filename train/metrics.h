// Streaming metrics: TF1's tf.metrics.accuracy and tf.metrics.mean. Each
// returns (value, update_op): update_op adds one batch to the local
// variables "<name>/total" and "<name>/count" and returns the new value;
// value reads the running value without changing it. So TF's evaluation
// loop ports unchanged:
//
//   auto [acc, acc_update] = tf::metrics::accuracy(labels, predictions);
//   sess.run(tf::local_variables_initializer());
//   for (each batch) sess.run(feeds, {acc_update});
//   auto final_accuracy = sess.run({acc});
//
// The variables are local (LOCAL_VARIABLES and "metric_variables"), not
// trainable, zero-initialized, created with tf.Variable in a variable scope
// `name` (default "accuracy" / "mean"; a second metric of the same name gets
// name scope "accuracy_1"). Values are cast to float32; an empty count gives
// 0 (div_no_nan).
#ifndef MINITF_TRAIN_METRICS_H_
#define MINITF_TRAIN_METRICS_H_

#include <string>
#include <utility>
#include <vector>

#include "minitf/graph/node.h"

namespace minitf::metrics {

// TF's GraphKeys.METRIC_VARIABLES.
inline constexpr const char* METRIC_VARIABLES = "metric_variables";

// The arguments after the labels and predictions, in TF's order.
struct MetricOptions {
  // Null: every value counts 1. Otherwise broadcast to the values (a
  // trailing dimension of 1 is squeezed or added to match their rank).
  Output weights;
  // Collections the value and the update op join.
  std::vector<std::string> metrics_collections;
  std::vector<std::string> updates_collections;
  std::string name = "";
};

// The weighted mean of `values` over every batch seen: (value, update_op).
std::pair<Output, Output> mean(Output values,
                               const MetricOptions& options = {});

// The fraction of predictions equal to labels (predictions cast to the
// labels' dtype; shapes must be compatible after squeezing a trailing 1).
std::pair<Output, Output> accuracy(Output labels, Output predictions,
                                   const MetricOptions& options = {});

}  // namespace minitf::metrics

#endif  // MINITF_TRAIN_METRICS_H_
