// tf.contrib.layers (TF 1.15): convolution, fully_connected, batch_norm,
// flatten, max_pool2d, avg_pool2d and dropout, built on tf.layers, each
// taking its keyword arguments as an option struct of Arg<T> fields (unset
// = not passed) so that arg_scope (arg_scope.h) can supply them.
//
//   namespace cl = tf::contrib::layers;
//   auto h = cl::conv2d(images, {.num_outputs = 32, .kernel_size = {5, 5},
//                                .normalizer_fn = cl::batch_norm,
//                                .normalizer_params = cl::BatchNormOptions{
//                                    .decay = 0.9f, .scale = true}});
//   h = cl::max_pool2d(h, {.kernel_size = 2});            // "MaxPool2D/..."
//   auto logits = cl::fully_connected(cl::flatten(h),
//       {.num_outputs = 10, .activation_fn = nullptr, .scope = "logits"});
//
// As in TF: variables are "<scope>/weights" and "<scope>/biases" (the
// tf.layers kernel and bias renamed by a custom getter that composes with
// the user's), in GLOBAL_VARIABLES, MODEL_VARIABLES and, when trainable,
// TRAINABLE_VARIABLES; a regularizer's loss is named after the tf.layers
// weight ("Conv/kernel/Regularizer/l2_regularizer"); a normalizer_fn
// suppresses the biases; the output is aliased with the scope name when
// outputs_collections is given (utils.h). Misuse throws TF's ValueError /
// TypeError texts.
//
// Left out (TF arguments without a counterpart here): batch_norm's
// batch_weights, zero_debias_moving_mean, renorm*, adjustment; a scope
// given as a VariableScope object; partitioned variables. is_training may
// be a bool tensor: only the taken branch runs (ops/control/cond.h).
#ifndef MINITF_LAYERS_CONTRIB_LAYERS_H_
#define MINITF_LAYERS_CONTRIB_LAYERS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "minitf/core/shape.h"
#include "minitf/graph/node.h"
#include "minitf/layers/contrib/arg_scope.h"
#include "minitf/layers/contrib/utils.h"
#include "minitf/layers/conv_utils.h"
#include "minitf/layers/layer.h"
#include "minitf/ops/nn/dropout.h"
#include "minitf/variables/regularizers.h"
#include "minitf/variables/variable_scope.h"

namespace minitf::contrib::layers {

using ::minitf::contrib::framework::Arg;
using ::minitf::layers::Activation;
using ::minitf::layers::IntTuple;
using ::minitf::layers::Training;

// contrib.layers.batch_norm's arguments, in TF's order. Defaults are TF's.
struct BatchNormOptions {
  Arg<float> decay;               // 0.999
  Arg<bool> center;               // true: a beta offset
  Arg<bool> scale;                // false: no gamma
  Arg<float> epsilon;             // 0.001
  Arg<Activation> activation_fn;  // None
  // Keys "beta", "gamma", "moving_mean", "moving_variance".
  Arg<std::map<std::string, VariableInitializer>> param_initializers;
  // Keys "beta", "gamma".
  Arg<std::map<std::string, Regularizer>> param_regularizers;
  // Unset: UPDATE_OPS, the train op runs them. None (nullptr): the moving
  // averages update in place whenever the output is computed.
  Arg<CollectionNames> updates_collections;
  Arg<Training> is_training;  // true
  Arg<Reuse> reuse;
  Arg<VariablesCollections> variables_collections;
  Arg<CollectionNames> outputs_collections;
  Arg<bool> trainable;           // true
  Arg<bool> fused;               // None: true
  Arg<std::string> data_format;  // "NHWC" or "NCHW"
  Arg<std::string> scope;        // None: "BatchNorm"

  template <typename Self, typename F>
  static void ForEachField(Self& self, F&& f) {
    f("decay", self.decay);
    f("center", self.center);
    f("scale", self.scale);
    f("epsilon", self.epsilon);
    f("activation_fn", self.activation_fn);
    f("param_initializers", self.param_initializers);
    f("param_regularizers", self.param_regularizers);
    f("updates_collections", self.updates_collections);
    f("is_training", self.is_training);
    f("reuse", self.reuse);
    f("variables_collections", self.variables_collections);
    f("outputs_collections", self.outputs_collections);
    f("trainable", self.trainable);
    f("fused", self.fused);
    f("data_format", self.data_format);
    f("scope", self.scope);
  }
};

// A normalizer_fn: called as normalizer_fn(outputs, normalizer_params).
// contrib::layers::batch_norm is one.
using NormalizerFn = std::function<Output(Output, const BatchNormOptions&)>;

// contrib.layers.convolution's arguments, in TF's order.
struct ConvolutionOptions {
  Arg<int64_t> num_outputs;   // required
  Arg<IntTuple> kernel_size;  // required: an int or one per spatial dim
  Arg<IntTuple> stride;       // 1
  Arg<std::string> padding;   // "SAME"
  // None (nullptr), "NWC", "NCW", "NHWC", "NCHW", "NDHWC" or "NCDHW"; only
  // an "NC" prefix matters (channels first).
  Arg<std::string> data_format;
  Arg<IntTuple> rate;               // 1: the dilation rate
  Arg<Activation> activation_fn;    // tf::nn::relu
  Arg<NormalizerFn> normalizer_fn;  // None
  Arg<BatchNormOptions> normalizer_params;
  Arg<VariableInitializer> weights_initializer;  // xavier_initializer()
  Arg<Regularizer> weights_regularizer;
  Arg<VariableInitializer> biases_initializer;  // zeros; None: no biases
  Arg<Regularizer> biases_regularizer;
  Arg<Reuse> reuse;  // true requires a scope
  Arg<VariablesCollections> variables_collections;
  Arg<CollectionNames> outputs_collections;
  Arg<bool> trainable;     // true
  Arg<std::string> scope;  // None: "Conv"
  Arg<int64_t> conv_dims;  // convolution only: None, 1, 2 or 3

  template <typename Self, typename F>
  static void ForEachField(Self& self, F&& f) {
    f("num_outputs", self.num_outputs);
    f("kernel_size", self.kernel_size);
    f("stride", self.stride);
    f("padding", self.padding);
    f("data_format", self.data_format);
    f("rate", self.rate);
    f("activation_fn", self.activation_fn);
    f("normalizer_fn", self.normalizer_fn);
    f("normalizer_params", self.normalizer_params);
    f("weights_initializer", self.weights_initializer);
    f("weights_regularizer", self.weights_regularizer);
    f("biases_initializer", self.biases_initializer);
    f("biases_regularizer", self.biases_regularizer);
    f("reuse", self.reuse);
    f("variables_collections", self.variables_collections);
    f("outputs_collections", self.outputs_collections);
    f("trainable", self.trainable);
    f("scope", self.scope);
    f("conv_dims", self.conv_dims);
  }
};

// contrib.layers.fully_connected's arguments, in TF's order.
struct FullyConnectedOptions {
  Arg<int64_t> num_outputs;       // required
  Arg<Activation> activation_fn;  // tf::nn::relu
  Arg<NormalizerFn> normalizer_fn;
  Arg<BatchNormOptions> normalizer_params;
  Arg<VariableInitializer> weights_initializer;  // xavier_initializer()
  Arg<Regularizer> weights_regularizer;
  Arg<VariableInitializer> biases_initializer;  // zeros; None: no biases
  Arg<Regularizer> biases_regularizer;
  Arg<Reuse> reuse;
  Arg<VariablesCollections> variables_collections;
  Arg<CollectionNames> outputs_collections;
  Arg<bool> trainable;
  Arg<std::string> scope;  // None: "fully_connected"

  template <typename Self, typename F>
  static void ForEachField(Self& self, F&& f) {
    f("num_outputs", self.num_outputs);
    f("activation_fn", self.activation_fn);
    f("normalizer_fn", self.normalizer_fn);
    f("normalizer_params", self.normalizer_params);
    f("weights_initializer", self.weights_initializer);
    f("weights_regularizer", self.weights_regularizer);
    f("biases_initializer", self.biases_initializer);
    f("biases_regularizer", self.biases_regularizer);
    f("reuse", self.reuse);
    f("variables_collections", self.variables_collections);
    f("outputs_collections", self.outputs_collections);
    f("trainable", self.trainable);
    f("scope", self.scope);
  }
};

struct FlattenOptions {
  Arg<CollectionNames> outputs_collections;
  Arg<std::string> scope;  // None: "Flatten"

  template <typename Self, typename F>
  static void ForEachField(Self& self, F&& f) {
    f("outputs_collections", self.outputs_collections);
    f("scope", self.scope);
  }
};

// max_pool2d / avg_pool2d's arguments.
struct Pool2DOptions {
  Arg<IntTuple> kernel_size;     // required
  Arg<IntTuple> stride;          // 2
  Arg<std::string> padding;      // "VALID"
  Arg<std::string> data_format;  // "NHWC" or "NCHW"
  Arg<CollectionNames> outputs_collections;
  Arg<std::string> scope;  // None: "MaxPool2D" / "AvgPool2D"

  template <typename Self, typename F>
  static void ForEachField(Self& self, F&& f) {
    f("kernel_size", self.kernel_size);
    f("stride", self.stride);
    f("padding", self.padding);
    f("data_format", self.data_format);
    f("outputs_collections", self.outputs_collections);
    f("scope", self.scope);
  }
};

struct DropoutOptions {
  Arg<nn::FloatOrTensor> keep_prob;  // 0.5
  Arg<Shape> noise_shape;
  Arg<Training> is_training;  // true
  Arg<CollectionNames> outputs_collections;
  Arg<std::string> scope;  // None: "Dropout"
  Arg<int64_t> seed;

  template <typename Self, typename F>
  static void ForEachField(Self& self, F&& f) {
    f("keep_prob", self.keep_prob);
    f("noise_shape", self.noise_shape);
    f("is_training", self.is_training);
    f("outputs_collections", self.outputs_collections);
    f("scope", self.scope);
    f("seed", self.seed);
  }
};

// Batch normalization in variable scope "BatchNorm": variables beta (when
// center), gamma (when scale), moving_mean and moving_variance over the
// channel axis. Training mode normalizes with the batch moments and adds
// the two moving-average updates ("AssignMovingAvg", "AssignMovingAvg_1":
// moving -= (moving - batch) * (1 - decay)) to updates_collections; the
// fused paths feed the Bessel-corrected batch variance. Runs as
// tf::layers::BatchNormalization with the default UPDATE_OPS, else on the
// fused op (rank 2 or 4, fused) or the composite ops, as TF chooses.
Output batch_norm(Output inputs, const BatchNormOptions& options = {});

// An N-D convolution (N = the input's rank - 2, or conv_dims) in variable
// scope "Conv", then normalizer_fn or the biases, then activation_fn.
Output convolution(Output inputs, const ConvolutionOptions& options);
// convolution with conv_dims = 1, 2, 3 (a conv_dims argument is a
// TypeError). Each is its own arg_scope key.
Output convolution1d(Output inputs, const ConvolutionOptions& options);
Output convolution2d(Output inputs, const ConvolutionOptions& options);
Output convolution3d(Output inputs, const ConvolutionOptions& options);
// TF's aliases: the same functions, so arg_scope({conv2d}, ...) applies to
// convolution2d calls too.
inline constexpr auto& conv1d = convolution1d;
inline constexpr auto& conv2d = convolution2d;
inline constexpr auto& conv3d = convolution3d;

// A dense layer in variable scope "fully_connected": weights [in, out].
Output fully_connected(Output inputs, const FullyConnectedOptions& options);

// [batch, ...] -> [batch, k] in name scope "Flatten".
Output flatten(Output inputs, const FlattenOptions& options = {});

// 2-D pooling in name scope "MaxPool2D" / "AvgPool2D" (ops "MaxPool",
// "AvgPool"); average pooling excludes the padding from the count.
Output max_pool2d(Output inputs, const Pool2DOptions& options);
Output avg_pool2d(Output inputs, const Pool2DOptions& options);

// Keeps each element with probability keep_prob (scaling by 1/keep_prob)
// when is_training, in variable scope "Dropout"; else an Identity.
Output dropout(Output inputs, const DropoutOptions& options = {});

}  // namespace minitf::contrib::layers

#endif  // MINITF_LAYERS_CONTRIB_LAYERS_H_
