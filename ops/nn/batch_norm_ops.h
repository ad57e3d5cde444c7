// Batch normalization: TF1's tf.nn.fused_batch_norm on oneDNN's
// batch_normalization primitives, forward and backward, for training
// (batch statistics) and inference (given mean and variance).
//
//   auto bn = tf::nn::fused_batch_norm(x, gamma, beta, {.epsilon = 1e-3f});
//   bn.y;               // normalized, scaled and shifted
//   bn.batch_mean;      // feed these to the moving averages; the variance
//   bn.batch_variance;  // is Bessel-corrected (n / (n - 1)), like TF's kernel
#ifndef MINITF_OPS_NN_BATCH_NORM_OPS_H_
#define MINITF_OPS_NN_BATCH_NORM_OPS_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "minitf/graph/node.h"

namespace minitf::nn {

struct FusedBatchNormOptions {
  // Required when !is_training: the population statistics to use.
  std::optional<Output> mean;
  std::optional<Output> variance;
  float epsilon = 0.001f;
  // Channels-last ("NHWC", also for rank 2, 3 and 5) or "NCHW".
  std::string data_format = "NHWC";
  bool is_training = true;
  std::string name = "FusedBatchNorm";
};

struct FusedBatchNormOutputs {
  Output y;
  Output batch_mean;
  Output batch_variance;
};

// x: rank 2 to 5, float32; scale and offset: [channels].
FusedBatchNormOutputs fused_batch_norm(
    Output x, Output scale, Output offset,
    const FusedBatchNormOptions& options = {});

}  // namespace minitf::nn

#endif  // MINITF_OPS_NN_BATCH_NORM_OPS_H_
