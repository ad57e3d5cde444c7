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
#include <vector>

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

// tf.nn.moments: mean and variance of x over `axes` (name scope
// "moments"; ops "mean", "variance"), squeezed unless keep_dims.
struct Moments {
  Output mean;
  Output variance;
};
Moments moments(Output x, const std::vector<int64_t>& axes,
                bool keep_dims = false, absl::string_view name = "moments");

// tf.nn.batch_normalization: (x - mean) * rsqrt(variance + epsilon) * scale
// + offset, in name scope "batchnorm"; a null offset or scale is omitted.
// The parameters broadcast against x.
Output batch_normalization(Output x, Output mean, Output variance,
                           Output offset, Output scale, float variance_epsilon,
                           absl::string_view name = "batchnorm");

}  // namespace minitf::nn

#endif  // MINITF_OPS_NN_BATCH_NORM_OPS_H_
