// tf.layers Conv1D / Conv2D / Conv3D: a port of TF 1.15's
// tensorflow/python/layers/convolutional_test.py (ConvTest) and keras'
// convolutional_test test_conv2d shape table, the cases of TF1_SEMANTICS.md
// section 2.3 ("case N"), the output-shape rule of 2.4 and the messages of
// 2.5; plus values against a naive convolution and gradients against finite
// differences (w.r.t. input, kernel and bias) for both data formats, both
// paddings, strides and dilations.
//
// Not ported, and why:
//  - testConv2DFloat16 / testConv1DFloat16: minitf has float32 only.
//  - causal Conv1D padding and the activity regularizer: in
//    training_flag_test.cc.
//  - the "non-int element" message: C++'s types rule it out.
//  - SeparableConv*, Conv*Transpose: not in minitf.
#include "minitf/layers/convolutional.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "minitf/minitf.h"
#include "minitf/tests/layers/layer_test_util.h"

namespace minitf {
namespace {

using layers::PythonShapeList;
using test::ExpectError;
using test::Keys;
using test::Names;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class ConvTest : public test::GraphTest {
 protected:
  Output Images(const Shape& shape) {
    return random_uniform(shape, {.seed = 1});
  }
};

// -- Arguments (section 2.5) ------------------------------------------------

TEST_F(ConvTest, InvalidDataFormat) {
  Output images = Images({5, 7, 9, 3});
  ExpectError(
      [&] {
        layers::conv2d(
            images,
            {.filters = 32, .kernel_size = 3, .data_format = "invalid"});
      },
      "ValueError",
      "The `data_format` argument must be one of \"channels_first\", "
      "\"channels_last\". Received: invalid");
  // The check is case-insensitive.
  EXPECT_EQ(
      layers::Conv2D(
          {.filters = 2, .kernel_size = 3, .data_format = "Channels_First"})
          .data_format(),
      "channels_first");
}

TEST_F(ConvTest, InvalidPadding) {
  ExpectError(
      [&] {
        layers::Conv2D({.filters = 32, .kernel_size = 3, .padding = "FULL"});
      },
      "ValueError",
      "The `padding` argument must be a list/tuple or one of \"valid\", "
      "\"same\" (or \"causal\", only for `Conv1D). Received: full");
  EXPECT_EQ(layers::Conv2D({.filters = 2, .kernel_size = 3, .padding = "SAME"})
                .padding(),
            "same");
  ExpectError(
      [&] {
        layers::Conv2D({.filters = 32, .kernel_size = 3, .padding = "causal"});
      },
      "ValueError",
      "Causal padding is only supported for `Conv1D`and ``SeparableConv1D`.");
}

TEST_F(ConvTest, InvalidStrides) {
  Output images = Images({5, 7, 9, 3});
  ExpectError(
      [&] {
        layers::conv2d(images,
                       {.filters = 32, .kernel_size = 3, .strides = {1, 2, 3}});
      },
      "ValueError",
      "The `strides` argument must be a tuple of 2 integers. Received: (1, 2, "
      "3)");
  ExpectError(
      [&] {
        layers::conv2d(
            images,
            {.filters = 32, .kernel_size = 3, .strides = layers::IntTuple()});
      },
      "ValueError",
      "The `strides` argument must be a tuple of 2 integers. Received: None");
}

TEST_F(ConvTest, InvalidKernelSize) {
  Output images = Images({5, 7, 9, 3});
  ExpectError(
      [&] {
        layers::conv2d(images, {.filters = 32, .kernel_size = {1, 2, 3}});
      },
      "ValueError",
      "The `kernel_size` argument must be a tuple of 2 integers. Received: "
      "(1, 2, 3)");
  ExpectError([&] { layers::conv2d(images, {.filters = 32}); }, "ValueError",
              "The `kernel_size` argument must be a tuple of 2 integers. "
              "Received: None");
  ExpectError(
      [&] {
        layers::Conv1D({.filters = 2, .kernel_size = {3, 3}});
      },
      "ValueError",
      "The `kernel_size` argument must be a tuple of 1 integers. Received: "
      "(3, 3)");
}

// Strides and dilation are checked when the layer first runs the
// convolution (TF: nn_ops.Convolution in build).
TEST_F(ConvTest, InvalidStridesAndDilationCombination) {
  Output images = Images({5, 7, 9, 3});
  ExpectError(
      [&] {
        layers::conv2d(
            images,
            {.filters = 2, .kernel_size = 3, .strides = 2, .dilation_rate = 2});
      },
      "ValueError",
      "strides > 1 not supported in conjunction with dilation_rate > 1");
  ExpectError(
      [&] {
        layers::conv2d(images, {.filters = 2, .kernel_size = 3, .strides = 0});
      },
      "ValueError", "all values of strides must be positive");
  ExpectError(
      [&] {
        layers::conv2d(images,
                       {.filters = 2, .kernel_size = 3, .dilation_rate = 0});
      },
      "ValueError", "all values of dilation_rate must be positive");
}

// -- Creation, shapes, names (sections 2.2-2.4) ------------------------------

// testCreateConv2D and case 2.
TEST_F(ConvTest, CreateConv2D) {
  Output images = Images({5, 7, 9, 4});
  layers::Conv2D layer(
      {.filters = 32, .kernel_size = {3, 3}, .activation = nn::relu});
  Output output = layer.apply(images);
  EXPECT_EQ(output.op().name(), "conv2d/Relu");
  EXPECT_EQ(PythonShapeList(output.shape()), "[5, 5, 7, 32]");
  EXPECT_EQ(PythonShapeList(layer.kernel().shape()), "[3, 3, 4, 32]");
  EXPECT_EQ(PythonShapeList(layer.bias().shape()), "[32]");
  EXPECT_EQ(layer.kernel().name(), "conv2d/kernel:0");
  EXPECT_EQ(layer.bias().name(), "conv2d/bias:0");
  const Keys both = {"conv2d/kernel:0", "conv2d/bias:0"};
  EXPECT_EQ(Names(layer.variables()), both);
  EXPECT_EQ(Names(layer.trainable_variables()), both);
  EXPECT_TRUE(layer.non_trainable_variables().empty());
  EXPECT_EQ(Names(get_collection(GraphKeys::GLOBAL_VARIABLES)), both);
  EXPECT_EQ(Names(get_collection(GraphKeys::TRAINABLE_VARIABLES)), both);
  EXPECT_TRUE(get_collection(GraphKeys::MODEL_VARIABLES).empty());
  EXPECT_EQ(layer.name(), "conv2d_1");
  EXPECT_EQ(layer.scope_name(), "conv2d");
  // The ops of section 2.2, under the layer's name scope.
  EXPECT_EQ(output.op().inputs()[0].op().name(), "conv2d/BiasAdd");
  EXPECT_EQ(output.op().inputs()[0].op().inputs()[0].op().name(),
            "conv2d/Conv2D");
}

TEST_F(ConvTest, CreateConv2DIntegerKernelSize) {
  layers::Conv2D layer({.filters = 32, .kernel_size = 3});
  Output output = layer.apply(Images({5, 7, 9, 4}));
  EXPECT_EQ(PythonShapeList(output.shape()), "[5, 5, 7, 32]");
  EXPECT_EQ(PythonShapeList(layer.kernel().shape()), "[3, 3, 4, 32]");
  EXPECT_EQ(PythonShapeList(layer.bias().shape()), "[32]");
  EXPECT_EQ(output.op().name(), "conv2d/BiasAdd");
}

// Case 14: the kernel stays HWIO; the bias is added in NCHW.
TEST_F(ConvTest, CreateConv2DChannelsFirst) {
  layers::Conv2D layer(
      {.filters = 32, .kernel_size = {3, 3}, .data_format = "channels_first"});
  Output output = layer.apply(Images({5, 4, 7, 9}));
  EXPECT_EQ(PythonShapeList(output.shape()), "[5, 32, 5, 7]");
  EXPECT_EQ(PythonShapeList(layer.kernel().shape()), "[3, 3, 4, 32]");
  EXPECT_EQ(PythonShapeList(layer.bias().shape()), "[32]");
  EXPECT_EQ(output.op().name(), "conv2d/BiasAdd");
  EXPECT_EQ(output.node()->attr<std::string>("data_format"), "NCHW");
}

TEST_F(ConvTest, UnknownInputChannels) {
  const std::string message =
      "The channel dimension of the inputs should be defined. Found `None`.";
  layers::Conv2D last(
      {.filters = 32, .kernel_size = {3, 3}, .activation = nn::relu});
  ExpectError(
      [&] {
        last.apply(placeholder(float32, {5, 7, 9, -1}));
      },
      "ValueError", message);
  layers::Conv2D first(
      {.filters = 32, .kernel_size = {3, 3}, .data_format = "channels_first"});
  ExpectError(
      [&] {
        first.apply(placeholder(float32, {5, -1, 7, 9}));
      },
      "ValueError", message);
  // No variable was made.
  EXPECT_TRUE(get_collection(GraphKeys::GLOBAL_VARIABLES).empty());
}

TEST_F(ConvTest, Conv2DPaddingSame) {
  layers::Conv2D layer(
      {.filters = 64, .kernel_size = {7, 9}, .padding = "same"});
  Output output = layer.apply(Images({5, 7, 9, 32}));
  EXPECT_EQ(PythonShapeList(output.shape()), "[5, 7, 9, 64]");
}

TEST_F(ConvTest, CreateConvWithStrides) {
  Output images = Images({5, 6, 8, 3});
  auto shape = [&](layers::IntTuple strides) {
    return PythonShapeList(layers::Conv2D({.filters = 32,
                                           .kernel_size = {3, 3},
                                           .strides = strides,
                                           .padding = "same"})
                               .apply(images)
                               .shape());
  };
  EXPECT_EQ(shape({2, 2}), "[5, 3, 4, 32]");
  EXPECT_EQ(shape(2), "[5, 3, 4, 32]");
  EXPECT_EQ(shape({2, 1}), "[5, 3, 8, 32]");
}

TEST_F(ConvTest, DilatedConv2D) {
  Output images = Images({5, 7, 9, 4});
  layers::Conv2D layer(
      {.filters = 32, .kernel_size = {3, 3}, .dilation_rate = 3});
  EXPECT_EQ(PythonShapeList(layer.apply(images).shape()), "[5, 1, 3, 32]");
  EXPECT_EQ(PythonShapeList(layer.kernel().shape()), "[3, 3, 4, 32]");
  EXPECT_EQ(PythonShapeList(layer.bias().shape()), "[32]");
  layers::Conv2D tuple(
      {.filters = 32, .kernel_size = {3, 3}, .dilation_rate = {1, 3}});
  EXPECT_EQ(PythonShapeList(tuple.apply(images).shape()), "[5, 5, 3, 32]");
}

// Section 2.4 (keras test_conv2d): input (None, 7, 6, 3), k=3, 2 filters.
TEST_F(ConvTest, OutputShapeRule) {
  Output x = placeholder(float32, {-1, 7, 6, 3}, "x");
  auto shape = [&](const layers::ConvOptions& options) {
    return PythonShapeList(layers::conv2d(x, options).shape());
  };
  EXPECT_EQ(shape({.filters = 2, .kernel_size = 3}), "[None, 5, 4, 2]");
  EXPECT_EQ(shape({.filters = 2, .kernel_size = 3, .padding = "same"}),
            "[None, 7, 6, 2]");
  EXPECT_EQ(shape({.filters = 2,
                   .kernel_size = 3,
                   .padding = "same",
                   .dilation_rate = 2}),
            "[None, 7, 6, 2]");
  EXPECT_EQ(shape({.filters = 2, .kernel_size = 3, .strides = {2, 2}}),
            "[None, 3, 2, 2]");
  EXPECT_EQ(shape({.filters = 2, .kernel_size = 3, .dilation_rate = {2, 2}}),
            "[None, 3, 2, 2]");
  // same: ceil(in / s), whatever k; an unknown spatial dim stays unknown.
  EXPECT_EQ(
      shape({.filters = 2, .kernel_size = 5, .strides = 4, .padding = "same"}),
      "[None, 2, 2, 2]");
  Output partly = placeholder(float32, {-1, -1, 6, 3}, "partly");
  EXPECT_EQ(
      PythonShapeList(
          layers::conv2d(partly, {.filters = 2, .kernel_size = 3}).shape()),
      "[None, None, 4, 2]");
}

TEST_F(ConvTest, CreateConv1D) {
  layers::Conv1D layer(
      {.filters = 32, .kernel_size = 3, .activation = nn::relu});
  Output output = layer.apply(Images({5, 7, 4}));
  EXPECT_EQ(output.op().name(), "conv1d/Relu");
  EXPECT_EQ(PythonShapeList(output.shape()), "[5, 5, 32]");
  EXPECT_EQ(PythonShapeList(layer.kernel().shape()), "[3, 4, 32]");
  EXPECT_EQ(PythonShapeList(layer.bias().shape()), "[32]");
  EXPECT_EQ(layer.kernel().name(), "conv1d/kernel:0");
}

TEST_F(ConvTest, CreateConv1DChannelsFirst) {
  layers::Conv1D layer(
      {.filters = 32, .kernel_size = 3, .data_format = "channels_first"});
  Output output = layer.apply(Images({5, 4, 7}));
  EXPECT_EQ(PythonShapeList(output.shape()), "[5, 32, 5]");
  EXPECT_EQ(PythonShapeList(layer.kernel().shape()), "[3, 4, 32]");
  EXPECT_EQ(PythonShapeList(layer.bias().shape()), "[32]");
}

TEST_F(ConvTest, UnknownInputChannelsConv1D) {
  const std::string message =
      "The channel dimension of the inputs should be defined. Found `None`.";
  layers::Conv1D last(
      {.filters = 32, .kernel_size = 3, .activation = nn::relu});
  ExpectError(
      [&] {
        last.apply(placeholder(float32, {5, 4, -1}));
      },
      "ValueError", message);
  layers::Conv1D first(
      {.filters = 32, .kernel_size = 3, .data_format = "channels_first"});
  ExpectError(
      [&] {
        first.apply(placeholder(float32, {5, -1, 4}));
      },
      "ValueError", message);
}

TEST_F(ConvTest, CreateConv3D) {
  layers::Conv3D layer(
      {.filters = 32, .kernel_size = {3, 3, 3}, .activation = nn::relu});
  Output output = layer.apply(Images({5, 6, 7, 9, 4}));
  EXPECT_EQ(output.op().name(), "conv3d/Relu");
  EXPECT_EQ(PythonShapeList(output.shape()), "[5, 4, 5, 7, 32]");
  EXPECT_EQ(PythonShapeList(layer.kernel().shape()), "[3, 3, 3, 4, 32]");
  EXPECT_EQ(PythonShapeList(layer.bias().shape()), "[32]");
  EXPECT_EQ(output.op().inputs()[0].op().inputs()[0].op().name(),
            "conv3d/Conv3D");
}

TEST_F(ConvTest, UnknownInputChannelsConv3D) {
  layers::Conv3D layer(
      {.filters = 32, .kernel_size = {3, 3, 3}, .activation = nn::relu});
  ExpectError(
      [&] {
        layer.apply(placeholder(float32, {5, 6, 7, 9, -1}));
      },
      "ValueError",
      "The channel dimension of the inputs should be defined. Found `None`.");
}

// An NCDHW input with an unknown batch builds.
TEST_F(ConvTest, Conv3DChannelsFirst) {
  Output volumes = placeholder(float32, {-1, 4, 6, 7, 9}, "volumes");
  layers::Conv3D layer({.filters = 32,
                        .kernel_size = {3, 3, 3},
                        .data_format = "channels_first"});
  Output output = layer.apply(volumes);
  EXPECT_EQ(PythonShapeList(output.shape()), "[None, 32, 4, 5, 7]");
  EXPECT_EQ(PythonShapeList(layer.kernel().shape()), "[3, 3, 3, 4, 32]");
}

// -- Input checks at call time (section 2.5) ---------------------------------

TEST_F(ConvTest, InputRankMustMatch) {
  layers::Conv2D layer({.filters = 32, .kernel_size = 3});
  ExpectError(
      [&] {
        layer.apply(Images({5, 7, 3}));
      },
      "ValueError",
      "Input 0 of layer conv2d_1 is incompatible with the layer: "
      "expected ndim=4, found ndim=3. Full shape received: [5, 7, 3]");
  layers::Conv2D unknown({.filters = 32, .kernel_size = 3});
  ExpectError([&] { unknown.apply(placeholder(float32)); }, "ValueError",
              "Input 0 of layer conv2d_2 is incompatible with the layer: its "
              "rank is undefined, but the layer requires a defined rank.");
}

TEST_F(ConvTest, LaterCallsMustKeepTheChannelCount) {
  layers::Conv2D layer({.filters = 32, .kernel_size = 3});
  layer.apply(Images({5, 7, 9, 4}));
  ExpectError(
      [&] {
        layer.apply(Images({5, 7, 9, 3}));
      },
      "ValueError",
      "Input 0 of layer conv2d_1 is incompatible with the layer: "
      "expected axis -1 of input shape to have value 4 but received "
      "input with shape [5, 7, 9, 3]");
  layers::Conv2D first(
      {.filters = 2, .kernel_size = 3, .data_format = "channels_first"});
  first.apply(Images({5, 4, 7, 9}));
  ExpectError(
      [&] {
        first.apply(Images({5, 3, 7, 9}));
      },
      "ValueError",
      "Input 0 of layer conv2d_2 is incompatible with the layer: "
      "expected axis 1 of input shape to have value 4 but received "
      "input with shape [5, 3, 7, 9]");
}

// -- Regularizers, bias, constraints, trainable
// --------------------------------

TEST_F(ConvTest, Conv2DKernelAndBiasRegularizer) {
  auto reg = [](Output x) { return constant(0.1f) * reduce_sum(x); };
  for (bool on_kernel : {true, false}) {
    Graph graph;
    GraphGuard as_default(graph);
    layers::ConvOptions options{.filters = 32, .kernel_size = {3, 3}};
    (on_kernel ? options.kernel_regularizer : options.bias_regularizer) = reg;
    layers::Conv2D layer(options);
    layer.apply(Images({5, 7, 9, 4}));
    std::vector<CollectionItem> loss_keys =
        get_collection(GraphKeys::REGULARIZATION_LOSSES);
    ASSERT_EQ(loss_keys.size(), 1u);
    ASSERT_EQ(layer.losses().size(), 1u);
    EXPECT_EQ(loss_keys[0].output(), layer.losses()[0]);
    EXPECT_THAT(layer.losses()[0].name(),
                StartsWith(on_kernel ? "conv2d/kernel/Regularizer/"
                                     : "conv2d/bias/Regularizer/"));
    // evaluate(layer.losses) == evaluate(loss_keys) == 0.1 * sum(weight).
    Output weight = on_kernel ? layer.kernel().value() : layer.bias().value();
    std::vector<Tensor> values =
        test::EvalAll({layer.losses()[0], reduce_sum(weight)});
    EXPECT_NEAR(values[0].scalar<float>(), 0.1f * values[1].scalar<float>(),
                1e-5);
  }
}

// Case 22: the loss is named under "<layer>/kernel/Regularizer/" and added
// only when the variable is created.
TEST_F(ConvTest, RegularizerLossNameAndReuse) {
  Output images = Images({5, 7, 9, 4});
  layers::conv2d(images,
                 {.filters = 2,
                  .kernel_size = 3,
                  .kernel_regularizer = contrib::layers::l2_regularizer(0.1),
                  .name = "conv2d"});
  std::vector<CollectionItem> losses =
      get_collection(GraphKeys::REGULARIZATION_LOSSES);
  ASSERT_EQ(losses.size(), 1u);
  EXPECT_EQ(losses[0].name(), "conv2d/kernel/Regularizer/l2_regularizer:0");
  layers::conv2d(images,
                 {.filters = 2,
                  .kernel_size = 3,
                  .kernel_regularizer = contrib::layers::l2_regularizer(0.1),
                  .name = "conv2d",
                  .reuse = true});
  EXPECT_EQ(get_collection(GraphKeys::REGULARIZATION_LOSSES).size(), 1u);
}

// Case 29: a scope regularizer applies to kernel and bias through
// get_variable, outside layer.losses.
TEST_F(ConvTest, ScopeRegularizerAppliesToEveryWeight) {
  variable_scope scope("s",
                       {.regularizer = [](Output w) { return reduce_sum(w); }});
  layers::Conv2D layer({.filters = 2, .kernel_size = 3});
  layer.apply(Images({5, 7, 9, 4}));
  EXPECT_EQ(Names(get_collection(GraphKeys::REGULARIZATION_LOSSES)).size(), 2u);
  EXPECT_TRUE(layer.losses().empty());
}

TEST_F(ConvTest, Conv2DNoBias) {
  layers::Conv2D layer({.filters = 32,
                        .kernel_size = {3, 3},
                        .activation = nn::relu,
                        .use_bias = false});
  Output output = layer.apply(Images({5, 7, 9, 4}));
  EXPECT_EQ(output.op().name(), "conv2d/Relu");
  EXPECT_EQ(output.op().inputs()[0].op().name(), "conv2d/Conv2D");
  EXPECT_EQ(PythonShapeList(output.shape()), "[5, 5, 7, 32]");
  EXPECT_EQ(PythonShapeList(layer.kernel().shape()), "[3, 3, 4, 32]");
  EXPECT_TRUE(layer.bias().is_null());
  EXPECT_EQ(Names(layer.variables()), Keys{"conv2d/kernel:0"});
}

// Case 24 / testConstraints: stored on the layer and on the variables.
TEST_F(ConvTest, Constraints) {
  int kernel_calls = 0, bias_calls = 0;
  Constraint k_constraint = [&](Output x) {
    ++kernel_calls;
    return x / reduce_sum(x);
  };
  Constraint b_constraint = [&](Output x) {
    ++bias_calls;
    return x / reduce_max(x);
  };
  const layers::ConvOptions options{.filters = 2,
                                    .kernel_size = 3,
                                    .kernel_constraint = k_constraint,
                                    .bias_constraint = b_constraint};
  layers::Conv1D conv1d(options);
  conv1d.apply(Images({5, 3, 5}));
  layers::Conv2D conv2d(options);
  conv2d.apply(Images({3, 3, 3, 5}));
  layers::Conv3D conv3d(options);
  conv3d.apply(Images({3, 3, 3, 3, 5}));
  for (layers::Conv* layer :
       std::vector<layers::Conv*>{&conv1d, &conv2d, &conv3d}) {
    kernel_calls = bias_calls = 0;
    Output k = layer->kernel().value(), b = layer->bias().value();
    layer->kernel_constraint()(k);
    layer->kernel().constraint()(k);
    layer->bias_constraint()(b);
    layer->bias().constraint()(b);
    EXPECT_EQ(kernel_calls, 2) << layer->name();
    EXPECT_EQ(bias_calls, 2) << layer->name();
  }
}

// Case 25 (LCORET testNonTrainable, for Conv2D).
TEST_F(ConvTest, NonTrainable) {
  layers::Conv2D layer({.filters = 2, .kernel_size = 3, .trainable = false});
  layer.apply(Images({5, 7, 9, 4}));
  const Keys both = {"conv2d/kernel:0", "conv2d/bias:0"};
  EXPECT_EQ(Names(layer.variables()), both);
  EXPECT_EQ(Names(layer.non_trainable_variables()), both);
  EXPECT_TRUE(layer.trainable_variables().empty());
  EXPECT_TRUE(get_collection(GraphKeys::TRAINABLE_VARIABLES).empty());
  EXPECT_EQ(Names(get_collection(GraphKeys::GLOBAL_VARIABLES)), both);
  EXPECT_FALSE(layer.kernel().trainable());
}

// -- Functional forms and reuse (cases 5-10, 13) -----------------------------

TEST_F(ConvTest, FunctionalConv2DReuse) {
  Output images = Images({5, 7, 9, 3});
  layers::conv2d(images,
                 {.filters = 32, .kernel_size = {3, 3}, .name = "conv1"});
  EXPECT_EQ(trainable_variables().size(), 2u);
  Output reused = layers::conv2d(
      images,
      {.filters = 32, .kernel_size = {3, 3}, .name = "conv1", .reuse = true});
  EXPECT_EQ(trainable_variables().size(), 2u);
  // Case 7: the reused call's ops land in conv1_1/, its variables are conv1/.
  EXPECT_EQ(reused.op().name(), "conv1_1/BiasAdd");
  EXPECT_EQ(reused.op().inputs()[0].op().name(), "conv1_1/Conv2D");
  EXPECT_EQ(reused.op().inputs()[1].name(), "conv1/bias/read:0");
}

// Case 7: a repeated functional name without reuse is an error; reuse=True
// on a new name is the other error; AUTO_REUSE creates or reuses.
TEST_F(ConvTest, FunctionalConv2DReuseErrors) {
  Output images = Images({5, 7, 9, 3});
  layers::conv2d(images, {.filters = 2, .kernel_size = 3, .name = "conv1"});
  ExpectError(
      [&] {
        layers::conv2d(images,
                       {.filters = 2, .kernel_size = 3, .name = "conv1"});
      },
      "ValueError",
      StartsWith("Variable conv1/kernel already exists, disallowed. Did you "
                 "mean to set reuse=True or reuse=tf.AUTO_REUSE in VarScope?"));
  ExpectError(
      [&] {
        layers::conv2d(
            images,
            {.filters = 2, .kernel_size = 3, .name = "conv2", .reuse = true});
      },
      "ValueError",
      "Variable conv2/kernel does not exist, or was not created with "
      "tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in "
      "VarScope?");
  for (int i = 0; i < 2; ++i) {
    layers::conv2d(
        images,
        {.filters = 2, .kernel_size = 3, .name = "conv3", .reuse = AUTO_REUSE});
  }
  EXPECT_EQ(Names(trainable_variables("conv3")),
            (Keys{"conv3/kernel:0", "conv3/bias:0"}));
}

TEST_F(ConvTest, FunctionalConv2DReuseFromScope) {
  Output images = Images({5, 7, 9, 3});
  {
    variable_scope scope("scope");
    layers::conv2d(images,
                   {.filters = 32, .kernel_size = {3, 3}, .name = "conv1"});
    EXPECT_EQ(trainable_variables().size(), 2u);
  }
  {
    variable_scope scope("scope", {.reuse = true});
    layers::conv2d(images,
                   {.filters = 32, .kernel_size = {3, 3}, .name = "conv1"});
    EXPECT_EQ(trainable_variables().size(), 2u);
  }
  EXPECT_EQ(Names(trainable_variables()),
            (Keys{"scope/conv1/kernel:0", "scope/conv1/bias:0"}));
}

// Case 10: the scope initializer reaches the kernel, not the bias.
TEST_F(ConvTest, FunctionalConv2DInitializerFromScope) {
  variable_scope scope("scope", {.initializer = ones_initializer()});
  Output images = Images({5, 7, 9, 3});
  layers::conv2d(images,
                 {.filters = 32, .kernel_size = {3, 3}, .name = "conv1"});
  std::vector<Variable> weights = trainable_variables();
  ASSERT_EQ(weights.size(), 2u);
  EXPECT_THAT(weights[0].name(), HasSubstr("kernel"));
  EXPECT_THAT(weights[1].name(), HasSubstr("bias"));
  std::vector<Tensor> values = test::EvalAll({weights[0], weights[1]});
  EXPECT_EQ(values[0].shape().ToString(), Shape({3, 3, 3, 32}).ToString());
  EXPECT_THAT(values[0].flat<float>(), ::testing::Each(1.0f));
  EXPECT_THAT(values[1].flat<float>(), ::testing::Each(0.0f));
  EXPECT_EQ(values[1].NumElements(), 32);
}

TEST_F(ConvTest, FunctionalConv2DNoReuse) {
  Output images = Images({5, 7, 9, 3});
  layers::conv2d(images, {.filters = 32, .kernel_size = {3, 3}});
  EXPECT_EQ(trainable_variables().size(), 2u);
  layers::conv2d(images, {.filters = 32, .kernel_size = {3, 3}});
  EXPECT_EQ(Names(trainable_variables()),
            (Keys{"conv2d/kernel:0", "conv2d/bias:0", "conv2d_1/kernel:0",
                  "conv2d_1/bias:0"}));
}

// Case 9: unnamed functional layers under a re-entered reusing scope, and
// an unnamed functional layer with reuse=True, share by name.
TEST_F(ConvTest, UnnamedFunctionalLayersReuseByName) {
  Output images = Images({5, 7, 9, 3});
  {
    variable_scope tower("tower");
    layers::conv2d(images, {.filters = 2, .kernel_size = 3});
  }
  {
    variable_scope tower("tower", {.reuse = true});
    layers::conv2d(images, {.filters = 2, .kernel_size = 3});
  }
  EXPECT_EQ(Names(trainable_variables()),
            (Keys{"tower/conv2d/kernel:0", "tower/conv2d/bias:0"}));

  layers::conv2d(images, {.filters = 2, .kernel_size = 3});
  layers::conv2d(images, {.filters = 2, .kernel_size = 3, .reuse = true});
  EXPECT_EQ(Names(trainable_variables("conv2d")),
            (Keys{"conv2d/kernel:0", "conv2d/bias:0"}));
}

// Case 13: a second call builds nothing and names its ops uniquely under
// the same name scope.
TEST_F(ConvTest, ReusingALayerObject) {
  layers::Conv2D layer(
      {.filters = 2, .kernel_size = 3, .activation = nn::relu});
  Output first = layer.apply(Images({5, 7, 9, 4}));
  Output second = layer.apply(Images({5, 7, 9, 4}));
  EXPECT_EQ(first.op().name(), "conv2d/Relu");
  EXPECT_EQ(second.op().name(), "conv2d/Relu_1");
  EXPECT_EQ(second.op().inputs()[0].op().name(), "conv2d/BiasAdd_1");
  EXPECT_EQ(second.op().inputs()[0].op().inputs()[0].op().name(),
            "conv2d/Conv2D_1");
  EXPECT_EQ(global_variables().size(), 2u);
  EXPECT_EQ(layer.scope_name(), "conv2d");
}

// A layer under an outer name scope: ops under outer/conv2d/, variables
// under conv2d/ (section 2.2, lazy scope).
TEST_F(ConvTest, NameScopeAffectsOpsNotVariables) {
  name_scope outer("outer");
  layers::Conv2D layer({.filters = 2, .kernel_size = 3});
  Output output = layer.apply(Images({5, 7, 9, 4}));
  EXPECT_EQ(output.op().name(), "outer/conv2d/BiasAdd");
  EXPECT_EQ(layer.kernel().name(), "conv2d/kernel:0");
  EXPECT_EQ(layer.scope_name(), "conv2d");
}

// -- Values and gradients ----------------------------------------------------

// One convolution layer configuration: `rank` spatial dims of kSize[rank].
struct ConvCase {
  int rank;
  bool channels_first, same;
  int64_t stride, dilation, kernel;

  std::string Name() const {
    return absl::StrCat(rank, "d_", channels_first ? "cf" : "cl",
                        same ? "_same" : "_valid", "_s", stride, "_d", dilation,
                        "_k", kernel);
  }
};

constexpr int64_t kBatch = 2, kInChannels = 2, kFilters = 3;
constexpr int64_t kSize[] = {0, 6, 5, 3};  // spatial size per rank

// Dims in the case's layout: [N, C, spatial...] or [N, spatial..., C].
Shape LayoutShape(const ConvCase& c, int64_t channels,
                  const std::vector<int64_t>& spatial) {
  std::vector<int64_t> dims = {kBatch};
  if (c.channels_first) dims.push_back(channels);
  dims.insert(dims.end(), spatial.begin(), spatial.end());
  if (!c.channels_first) dims.push_back(channels);
  return Shape(absl::MakeConstSpan(dims));
}

// The reference: y = conv(x, w) + b with TF's padding (same: total
// max((out-1)*s + dilated_k - in, 0), the smaller half before).
Tensor NaiveConv(const ConvCase& c, const Tensor& x, const Tensor& w,
                 const Tensor& b) {
  const int r = c.rank;
  const int64_t dk = (c.kernel - 1) * c.dilation + 1;
  const int64_t in = kSize[r];
  const int64_t out =
      c.same ? (in + c.stride - 1) / c.stride : (in - dk) / c.stride + 1;
  const int64_t pad =
      c.same ? std::max<int64_t>((out - 1) * c.stride + dk - in, 0) / 2 : 0;
  // Pad the spatial dims to three so one loop nest serves every rank.
  int64_t ins[3] = {1, 1, 1}, outs[3] = {1, 1, 1}, ks[3] = {1, 1, 1};
  for (int i = 0; i < r; ++i) {
    ins[i] = in;
    outs[i] = out;
    ks[i] = c.kernel;
  }
  const Shape y_shape = LayoutShape(c, kFilters, std::vector<int64_t>(r, out));
  Tensor y(float32, y_shape);
  auto X = x.flat<float>(), W = w.flat<float>(), B = b.flat<float>();
  auto Y = y.flat<float>();
  const int64_t in_sp = ins[0] * ins[1] * ins[2];
  const int64_t out_sp = outs[0] * outs[1] * outs[2];
  auto x_index = [&](int64_t n, int64_t ch, int64_t pos) {
    return c.channels_first ? (n * kInChannels + ch) * in_sp + pos
                            : (n * in_sp + pos) * kInChannels + ch;
  };
  for (int64_t n = 0; n < kBatch; ++n) {
    for (int64_t o = 0; o < kFilters; ++o) {
      for (int64_t p = 0; p < out_sp; ++p) {
        const int64_t op[3] = {p / (outs[1] * outs[2]), (p / outs[2]) % outs[1],
                               p % outs[2]};
        double sum = B[o];
        for (int64_t kp = 0; kp < ks[0] * ks[1] * ks[2]; ++kp) {
          const int64_t kk[3] = {kp / (ks[1] * ks[2]), (kp / ks[2]) % ks[1],
                                 kp % ks[2]};
          int64_t pos = 0;
          bool inside = true;
          for (int i = 0; i < 3; ++i) {
            const int64_t stride = i < r ? c.stride : 1;
            const int64_t dil = i < r ? c.dilation : 1;
            const int64_t q = op[i] * stride + kk[i] * dil - (i < r ? pad : 0);
            inside = inside && q >= 0 && q < ins[i];
            pos = pos * ins[i] + q;
          }
          if (!inside) continue;
          for (int64_t ch = 0; ch < kInChannels; ++ch) {
            sum += X[x_index(n, ch, pos)] *
                   W[(kp * kInChannels + ch) * kFilters + o];
          }
        }
        Y[c.channels_first ? (n * kFilters + o) * out_sp + p
                           : (n * out_sp + p) * kFilters + o] =
            static_cast<float>(sum);
      }
    }
  }
  return y;
}

std::unique_ptr<layers::Conv> MakeConv(const ConvCase& c) {
  const layers::ConvOptions options{
      .filters = kFilters,
      .kernel_size = c.kernel,
      .strides = c.stride,
      .padding = c.same ? "same" : "valid",
      .data_format = c.channels_first ? "channels_first" : "channels_last",
      .dilation_rate = c.dilation};
  switch (c.rank) {
    case 1:
      return std::make_unique<layers::Conv1D>(options);
    case 2:
      return std::make_unique<layers::Conv2D>(options);
    default:
      return std::make_unique<layers::Conv3D>(options);
  }
}

class ConvValuesTest : public ::testing::TestWithParam<ConvCase> {};

// The layer's output against the naive loop, then its gradients w.r.t. the
// input, the kernel and the bias against finite differences.
TEST_P(ConvValuesTest, ForwardAndGradients) {
  const ConvCase c = GetParam();
  Graph graph;
  GraphGuard guard(graph);
  const Shape x_shape =
      LayoutShape(c, kInChannels, std::vector<int64_t>(c.rank, kSize[c.rank]));
  Output x = placeholder(float32, x_shape, "x");
  std::unique_ptr<layers::Conv> conv = MakeConv(c);
  Output y = conv->apply(x);
  Output kernel = conv->kernel().value(), bias = conv->bias().value();

  const Tensor xv = test::Random(x_shape, 1);
  const Tensor kv = test::Random(kernel.shape(), 2);
  const Tensor bv = test::Random(bias.shape(), 3);
  const Tensor expected = NaiveConv(c, xv, kv, bv);
  EXPECT_EQ(y.shape().ToString(), expected.shape().ToString());

  Session sess(graph);
  auto out = sess.run({{x, xv}, {kernel, kv}, {bias, bv}}, {y});
  ASSERT_TRUE(out.ok()) << out.status();
  test::ExpectAllNear((*out)[0], expected, 1e-4f);

  EXPECT_LT(test::GradientError(sess, x, xv, y, {{kernel, kv}, {bias, bv}}),
            5e-3f)
      << "input";
  EXPECT_LT(test::GradientError(sess, kernel, kv, y, {{x, xv}, {bias, bv}}),
            5e-3f)
      << "kernel";
  EXPECT_LT(test::GradientError(sess, bias, bv, y, {{x, xv}, {kernel, kv}}),
            5e-3f)
      << "bias";
}

std::vector<ConvCase> ValueCases() {
  std::vector<ConvCase> cases;
  for (bool channels_first : {false, true}) {
    for (bool same : {false, true}) {
      // Conv2D: plain, strided, dilated.
      cases.push_back({2, channels_first, same, 1, 1, 3});
      cases.push_back({2, channels_first, same, 2, 1, 3});
      cases.push_back({2, channels_first, same, 1, 2, 2});
      // Conv1D and Conv3D.
      cases.push_back({1, channels_first, same, 2, 1, 3});
      cases.push_back({1, channels_first, same, 1, 2, 2});
      cases.push_back({3, channels_first, same, 1, 1, 2});
    }
  }
  cases.push_back({3, false, true, 2, 1, 2});
  cases.push_back({3, true, false, 1, 2, 2});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Layers, ConvValuesTest,
                         ::testing::ValuesIn(ValueCases()),
                         [](const auto& info) { return info.param.Name(); });

// An activation applies after the bias: relu(conv + b); the batch may be
// unknown while building.
TEST_F(ConvTest, ActivationAppliesAfterTheBias) {
  const ConvCase c{2, false, true, 1, 1, 3};
  const Shape x_shape = LayoutShape(c, kInChannels, {kSize[2], kSize[2]});
  // An unknown batch, fed at run time.
  Output x = placeholder(float32, {-1, kSize[2], kSize[2], kInChannels}, "x");
  layers::Conv2D conv({.filters = kFilters,
                       .kernel_size = 3,
                       .padding = "same",
                       .activation = nn::relu});
  Output y = conv.apply(x);
  const Tensor xv = test::Random(x_shape, 4);
  const Tensor kv = test::Random(conv.kernel().shape(), 5);
  const Tensor bv = test::Random(conv.bias().shape(), 6);
  Tensor expected = NaiveConv(c, xv, kv, bv);
  for (float& v : expected.flat<float>()) v = std::max(v, 0.0f);
  Session sess(graph_);
  auto out = sess.run(
      {{x, xv}, {conv.kernel().value(), kv}, {conv.bias().value(), bv}}, {y});
  ASSERT_TRUE(out.ok()) << out.status();
  test::ExpectAllNear((*out)[0], expected, 1e-4f);
}

}  // namespace
}  // namespace minitf
