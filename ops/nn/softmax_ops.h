// The softmax family, TF1's tf.nn.softmax / log_softmax on oneDNN's softmax
// and logsoftmax primitives, and the fused losses
// tf.nn.softmax_cross_entropy_with_logits(_v2) and
// sparse_softmax_cross_entropy_with_logits (hand-written kernels: oneDNN has
// no such primitive). Every kernel subtracts the maximum before
// exponentiating, so large logits neither overflow nor lose precision.
//
//   auto probs = tf::nn::softmax(logits);
//   auto loss = tf::nn::sparse_softmax_cross_entropy_with_logits(labels,
//   logits); auto mean = tf::reduce_mean(loss);
//
// The softmax axis is an attribute of the ops themselves (TF transposes the
// axis to the end); the cross-entropy ops take logits of any rank >= 1, the
// classes on `axis` (TF flattens the outer dims to 2-D around a 2-D op).
// Builders throw minitf::Error with TF's messages; a sparse label outside
// [0, classes) is an InvalidArgument from Session::run.
#ifndef MINITF_OPS_NN_SOFTMAX_OPS_H_
#define MINITF_OPS_NN_SOFTMAX_OPS_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "minitf/graph/node.h"

namespace minitf::nn {

// tf.nn.softmax / log_softmax(logits, axis, name): rank >= 1, float32.
struct SoftmaxOptions {
  int64_t axis = -1;      // negative counts from the end
  std::string name = "";  // default: "Softmax" / "LogSoftmax"
};
// exp(logits) / reduce_sum(exp(logits), axis).
Output softmax(Output logits, const SoftmaxOptions& options = {});
// logits - log(reduce_sum(exp(logits), axis)).
Output log_softmax(Output logits, const SoftmaxOptions& options = {});

struct SoftmaxCrossEntropyOptions {
  int64_t axis = -1;      // the class dimension (TF1's `dim`)
  std::string name = "";  // default: "softmax_cross_entropy_with_logits"
};
// -reduce_sum(labels * log_softmax(logits), axis): one loss per row, shaped
// like logits without `axis`. labels is a probability distribution of
// logits' shape (cast to float32 as TF does). TF1's version: no gradient
// flows into labels (they pass through stop_gradient
// "<name>/labels_stop_gradient").
Output softmax_cross_entropy_with_logits(
    Output labels, Output logits,
    const SoftmaxCrossEntropyOptions& options = {});
// The same with a gradient for labels too (-log_softmax(logits) * g).
Output softmax_cross_entropy_with_logits_v2(
    Output labels, Output logits,
    const SoftmaxCrossEntropyOptions& options = {});

// tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits, name):
// labels int32/int64 of logits' shape without the last dim, each in
// [0, classes); logits float32 [..., classes]. Returns the loss, shaped like
// labels. The op is "<name>/SparseSoftmaxCrossEntropyWithLogits" (name
// default "SparseSoftmaxCrossEntropyWithLogits"), as in TF.
Output sparse_softmax_cross_entropy_with_logits(Output labels, Output logits,
                                                absl::string_view name = "");

}  // namespace minitf::nn

#endif  // MINITF_OPS_NN_SOFTMAX_OPS_H_
