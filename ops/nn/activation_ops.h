// Activations and bias_add, TF1's tf.nn.relu / relu6 / elu / selu /
// leaky_relu / sigmoid / tanh / softplus / softsign and tf.nn.bias_add.
// Forward and backward run on oneDNN's eltwise primitives (selu and
// softsign, which oneDNN lacks, on one plain loop); bias_add runs on
// oneDNN's binary primitive, its bias gradient on reduction and matmul
// primitives. The gradient ops are TF's: ReluGrad, Relu6Grad, EluGrad,
// SeluGrad, LeakyReluGrad, SigmoidGrad, TanhGrad, SoftplusGrad,
// SoftsignGrad and BiasAddGrad. float32 only.
//
//   auto h = tf::nn::relu(tf::nn::bias_add(tf::nn::conv2d(x, k), b));
//   auto z = tf::nn::leaky_relu(h, /*alpha=*/0.1f);
//   auto c = tf::nn::bias_add(nchw, b, {.data_format = "NCHW"});
//
// Builders are thread-compatible like every graph-building call.
#ifndef MINITF_OPS_NN_ACTIVATION_OPS_H_
#define MINITF_OPS_NN_ACTIVATION_OPS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "minitf/graph/node.h"

namespace minitf::nn {

// max(features, 0).
Output relu(Output features, absl::string_view name = "Relu");
// min(max(features, 0), 6).
Output relu6(Output features, absl::string_view name = "Relu6");
// features if > 0, else exp(features) - 1.
Output elu(Output features, absl::string_view name = "Elu");
// scale * (features if > 0, else alpha * (exp(features) - 1)), with
// scale = 1.0507009873554805 and alpha = 1.6732632423543772.
Output selu(Output features, absl::string_view name = "Selu");
// features if > 0, else alpha * features.
Output leaky_relu(Output features, float alpha = 0.2f,
                  absl::string_view name = "LeakyRelu");
// 1 / (1 + exp(-x)); also minitf::sigmoid, as tf.sigmoid.
Output sigmoid(Output x, absl::string_view name = "Sigmoid");
// The hyperbolic tangent; also minitf::tanh, as tf.tanh.
Output tanh(Output x, absl::string_view name = "Tanh");
// log(exp(features) + 1).
Output softplus(Output features, absl::string_view name = "Softplus");
// features / (abs(features) + 1).
Output softsign(Output features, absl::string_view name = "Softsign");

// tf.nn.bias_add(value, bias, data_format, name).
struct BiasAddOptions {
  // Channels-last ("NHWC", or any "N...C": the bias is added along the last
  // dim, rank >= 2) or channels-first ("NCHW", "NCW", "NCDHW", any "NC...":
  // along dim 1, rank >= 3). Anything else is TF's ValueError.
  std::string data_format = "NHWC";
  std::string name = "BiasAdd";
};
// value + bias, the 1-D bias broadcast along the channel dim.
Output bias_add(Output value, Output bias, const BiasAddOptions& options = {});

}  // namespace minitf::nn

namespace minitf {
using nn::sigmoid;
using nn::tanh;
}  // namespace minitf

#endif  // MINITF_OPS_NN_ACTIVATION_OPS_H_
