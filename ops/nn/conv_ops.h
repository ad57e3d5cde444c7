// Convolution, TF1's tf.nn.convolution / conv1d / conv2d / conv3d, on
// oneDNN's convolution primitives. One parameterized implementation serves
// every rank; kernels are in TF's layouts (WIO, HWIO, DHWIO), inputs in
// channels-last (NWC, NHWC, NDHWC) or channels-first (NCW, NCHW, NCDHW).
// Gradients run on oneDNN's backward-data and backward-weights primitives
// (Conv2DBackpropInput, Conv2DBackpropFilter and the 1D/3D forms), built
// only for the inputs that need them.
//
//   auto y = tf::nn::conv2d(images, kernel, {.strides = {1, 1, 1, 1},
//                                            .padding = "SAME"});
//   auto z = tf::nn::convolution(x, k, {.padding = "VALID",
//                                       .dilation_rate = {2, 2}});
#ifndef MINITF_OPS_NN_CONV_OPS_H_
#define MINITF_OPS_NN_CONV_OPS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "minitf/graph/node.h"

namespace minitf::nn {

// tf.nn.conv2d(input, filter, strides, padding, data_format, dilations).
// strides and dilations have one entry per input dimension (batch and
// channel entries must be 1); empty means all ones.
struct Conv2DOptions {
  std::vector<int64_t> strides;
  std::string padding = "VALID";  // "SAME" or "VALID", any case
  std::string data_format = "NHWC";
  std::vector<int64_t> dilations;
  std::string name = "Conv2D";
};
Output conv2d(Output input, Output filter, const Conv2DOptions& options = {});

struct Conv3DOptions {
  std::vector<int64_t> strides;
  std::string padding = "VALID";
  std::string data_format = "NDHWC";
  std::vector<int64_t> dilations;
  std::string name = "Conv3D";
};
Output conv3d(Output input, Output filter, const Conv3DOptions& options = {});

// tf.nn.conv1d(value, filters, stride, padding, data_format, dilations):
// scalar stride and dilation.
struct Conv1DOptions {
  int64_t stride = 1;
  std::string padding = "VALID";
  std::string data_format = "NWC";
  int64_t dilations = 1;
  std::string name = "conv1d";
};
Output conv1d(Output value, Output filters, const Conv1DOptions& options = {});

// tf.nn.convolution(input, filter, padding, strides, dilation_rate, name,
// data_format): strides and dilation_rate over the spatial dims only;
// stride > 1 together with dilation > 1 is TF's ValueError.
struct ConvolutionOptions {
  std::string padding = "VALID";
  std::vector<int64_t> strides;
  std::vector<int64_t> dilation_rate;
  std::string name = "convolution";
  std::optional<std::string> data_format;  // default: channels-last
};
Output convolution(Output input, Output filter,
                   const ConvolutionOptions& options = {});

}  // namespace minitf::nn

#endif  // MINITF_OPS_NN_CONV_OPS_H_
