// Pooling, TF1's tf.nn.max_pool / avg_pool (2-D), max_pool1d / avg_pool1d,
// max_pool3d / avg_pool3d and the rank-generic tf.nn.pool, on oneDNN's
// pooling primitives. One parameterized implementation serves every rank
// and both layouts: channels-last (NWC, NHWC, NDHWC) and channels-first
// (NCW, NCHW, NCDHW). Average pooling excludes the padding from the count,
// as TF does; max pooling ignores it. Gradients run on oneDNN's
// pooling_backward (MaxPoolGrad, AvgPoolGrad and the 1D/3D forms).
//
//   auto p = tf::nn::max_pool(x, {.ksize = {1, 2, 2, 1},
//                                 .strides = {1, 2, 2, 1},
//                                 .padding = "SAME"});
//   auto q = tf::nn::avg_pool3d(v, {.ksize = {2}, .strides = {2}});
//   auto r = tf::nn::pool(x, {3, 3}, "MAX", {.padding = "SAME",
//                                            .strides = {2, 2}});
//
// ksize and strides follow TF's _get_sequence: one value for every spatial
// dim, one per spatial dim, or one per input dim (batch and channel
// entries must then be 1). Only float32 is supported. Builders throw
// minitf::Error with TF's messages; they are thread-compatible like every
// graph builder.
#ifndef MINITF_OPS_NN_POOLING_OPS_H_
#define MINITF_OPS_NN_POOLING_OPS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "minitf/graph/node.h"

namespace minitf::nn {

// tf.nn.max_pool / avg_pool(value, ksize, strides, padding, data_format,
// name): 4-D input.
struct Pool2DOptions {
  std::vector<int64_t> ksize;        // length 1, 2 or 4; empty means 1
  std::vector<int64_t> strides;      // length 1, 2 or 4; empty means 1
  std::string padding = "VALID";     // "SAME" or "VALID", any case
  std::string data_format = "NHWC";  // or "NCHW"
  std::string name = "";             // default: "MaxPool" / "AvgPool"
};
Output max_pool(Output value, const Pool2DOptions& options);
Output avg_pool(Output value, const Pool2DOptions& options);

// tf.nn.max_pool1d / avg_pool1d(input, ksize, strides, padding,
// data_format, name): 3-D input. TF runs these as 2-D pooling between an
// expand_dims and a squeeze; here they are ops of their own (MaxPool1D,
// AvgPool1D) with the same results.
struct Pool1DOptions {
  std::vector<int64_t> ksize;    // length 1 or 3; empty means 1
  std::vector<int64_t> strides;  // length 1 or 3; empty means 1
  std::string padding = "VALID";
  std::string data_format = "NWC";  // or "NCW"
  std::string name = "";            // default: "MaxPool1d" / "AvgPool1D"
};
Output max_pool1d(Output input, const Pool1DOptions& options);
Output avg_pool1d(Output input, const Pool1DOptions& options);

// tf.nn.max_pool3d / avg_pool3d: 5-D input.
struct Pool3DOptions {
  std::vector<int64_t> ksize;    // length 1, 3 or 5; empty means 1
  std::vector<int64_t> strides;  // length 1, 3 or 5; empty means 1
  std::string padding = "VALID";
  std::string data_format = "NDHWC";  // or "NCDHW"
  std::string name = "";              // default: "MaxPool3D" / "AvgPool3D"
};
Output max_pool3d(Output input, const Pool3DOptions& options);
Output avg_pool3d(Output input, const Pool3DOptions& options);

// tf.nn.pool(input, window_shape, pooling_type, padding, dilation_rate,
// strides, name, data_format): window_shape has 1 to 3 entries, one per
// spatial dim; pooling_type is "MAX" or "AVG". dilation_rate > 1 (which TF
// runs through space_to_batch) is not supported: ValueError.
struct PoolOptions {
  std::string padding = "VALID";
  std::vector<int64_t> dilation_rate;      // empty or all ones
  std::vector<int64_t> strides;            // spatial dims only; empty means 1
  std::string name = "";                   // default: "max_pool" / "avg_pool"
  std::optional<std::string> data_format;  // default: channels-last
};
Output pool(Output input, const std::vector<int64_t>& window_shape,
            absl::string_view pooling_type, const PoolOptions& options = {});

}  // namespace minitf::nn

#endif  // MINITF_OPS_NN_POOLING_OPS_H_
