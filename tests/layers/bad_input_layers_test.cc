// Bad layer arguments and inputs: tf.layers' (keras') ValueErrors at
// construction, the input-spec checks at the call, reuse and sharing
// errors, and tf.contrib.layers' own texts; then a valid run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "minitf/minitf.h"
#include "minitf/tests/bad_input_util.h"

namespace minitf {
namespace {

using test::BuildCase;
using test::CaseName;
using test::ExpectError;
using test::kTypeError;
using test::kValueError;

Output Images(std::initializer_list<int64_t> dims) {
  return placeholder(float32, Shape(dims), "images");
}

class BadLayerTest : public test::BadBuildTest {};
TEST_P(BadLayerTest, Throws) { RunBuildCase(); }

INSTANTIATE_TEST_SUITE_P(
    Convolutional, BadLayerTest,
    ::testing::Values(
        BuildCase{"Conv2DInAnUnknownDataFormat",
                  [] {
                    layers::Conv2D c({.filters = 2,
                                      .kernel_size = 3,
                                      .data_format = "invalid"});
                  },
                  kValueError,
                  "The `data_format` argument must be one of "
                  "\"channels_first\", \"channels_last\". Received: invalid"},
        BuildCase{"Conv2DInAnUnknownPadding",
                  [] {
                    layers::Conv2D c(
                        {.filters = 2, .kernel_size = 3, .padding = "Full"});
                  },
                  kValueError,
                  "The `padding` argument must be a list/tuple or one of "
                  "\"valid\", \"same\" (or \"causal\", only for `Conv1D). "
                  "Received: full"},
        BuildCase{"Conv2DCausalPadding",
                  [] {
                    layers::Conv2D c(
                        {.filters = 2, .kernel_size = 3, .padding = "causal"});
                  },
                  kValueError,
                  "Causal padding is only supported for `Conv1D`and "
                  "``SeparableConv1D`."},
        BuildCase{"Conv2DStridesOfLengthThree",
                  [] {
                    layers::Conv2D c(
                        {.filters = 2, .kernel_size = 3, .strides = {1, 2, 3}});
                  },
                  kValueError,
                  "The `strides` argument must be a tuple of 2 integers. "
                  "Received: (1, 2, 3)"},
        BuildCase{"Conv2DKernelSizeOfLengthThree",
                  [] {
                    layers::Conv2D c({.filters = 2, .kernel_size = {1, 2, 3}});
                  },
                  kValueError,
                  "The `kernel_size` argument must be a tuple of 2 integers. "
                  "Received: (1, 2, 3)"},
        BuildCase{"Conv2DWithoutAKernelSize",
                  [] { layers::Conv2D c({.filters = 2}); }, kValueError,
                  "The `kernel_size` argument must be a tuple of 2 integers. "
                  "Received: None"},
        BuildCase{"Conv2DOfZeroFilters",
                  [] { layers::Conv2D c({.filters = 0, .kernel_size = 3}); },
                  kValueError,
                  "Invalid value for argument `filters`. Expected a strictly "
                  "positive value. Received filters=0."},
        BuildCase{"Conv2DOfARankThreeInput",
                  [] {
                    layers::conv2d(Images({5, 7, 3}),
                                   {.filters = 2, .kernel_size = 3});
                  },
                  kValueError,
                  "Input 0 of layer conv2d_1 is incompatible with the layer: "
                  "expected ndim=4, found ndim=3. Full shape received: [5, 7, "
                  "3]"},
        BuildCase{
            "Conv2DOfAnUnknownRank",
            [] {
              layers::conv2d(placeholder(float32),
                             {.filters = 2, .kernel_size = 3});
            },
            kValueError,
            "Input 0 of layer conv2d_1 is incompatible with the layer: its "
            "rank is undefined, but the layer requires a defined rank."},
        BuildCase{"Conv2DOfUnknownChannels",
                  [] {
                    layers::conv2d(Images({1, 5, 5, -1}),
                                   {.filters = 2, .kernel_size = 3});
                  },
                  kValueError,
                  "The channel dimension of the inputs should be defined. "
                  "Found `None`."},
        BuildCase{"Conv2DCalledAgainWithOtherChannels",
                  [] {
                    layers::Conv2D c({.filters = 2, .kernel_size = 3});
                    c(Images({5, 7, 9, 4}));
                    c(placeholder(float32, {5, 7, 9, 3}));
                  },
                  kValueError,
                  "Input 0 of layer conv2d_1 is incompatible with the layer: "
                  "expected axis -1 of input shape to have value 4 but "
                  "received input with shape [5, 7, 9, 3]"},
        BuildCase{"Conv2DStridedAndDilated",
                  [] {
                    layers::conv2d(Images({1, 9, 9, 1}), {.filters = 2,
                                                          .kernel_size = 3,
                                                          .strides = 2,
                                                          .dilation_rate = 2});
                  },
                  kValueError,
                  "strides > 1 not supported in conjunction with dilation_rate "
                  "> 1"},
        BuildCase{"Conv2DValidWindowLargerThanTheImage",
                  [] {
                    layers::conv2d(Images({1, 2, 2, 1}),
                                   {.filters = 2, .kernel_size = 3});
                  },
                  kValueError,
                  "Negative dimension size caused by subtracting 3 from 2"},
        BuildCase{"Conv2DFunctionalTwiceUnderOneName",
                  [] {
                    auto x = Images({1, 5, 5, 1});
                    layers::conv2d(
                        x, {.filters = 2, .kernel_size = 3, .name = "conv1"});
                    layers::conv2d(
                        x, {.filters = 2, .kernel_size = 3, .name = "conv1"});
                  },
                  kValueError,
                  "Variable conv1/kernel already exists, disallowed. Did you "
                  "mean to set reuse=True or reuse=tf.AUTO_REUSE in VarScope?"},
        BuildCase{"Conv2DReusedOnOtherChannels",
                  [] {
                    layers::conv2d(
                        Images({1, 5, 5, 3}),
                        {.filters = 8, .kernel_size = 3, .name = "conv1"});
                    layers::conv2d(placeholder(float32, {1, 5, 5, 4}),
                                   {.filters = 8,
                                    .kernel_size = 3,
                                    .name = "conv1",
                                    .reuse = true});
                  },
                  kValueError,
                  "Trying to share variable conv1/kernel, but specified shape "
                  "(3, 3, 4, 8) and found shape (3, 3, 3, 8)."}),
    CaseName());

INSTANTIATE_TEST_SUITE_P(
    CoreAndPooling, BadLayerTest,
    ::testing::Values(
        BuildCase{"DenseOfAVector",
                  [] { layers::dense(Images({3}), {.units = 2}); }, kValueError,
                  "Input 0 of layer dense_1 is incompatible with the layer: : "
                  "expected min_ndim=2, found ndim=1. Full shape received: "
                  "[3]"},
        BuildCase{"DenseOfAnUnknownLastDim",
                  [] {
                    layers::dense(Images({2, -1}), {.units = 2});
                  },
                  kValueError,
                  "The last dimension of the inputs to `Dense` should be "
                  "defined. Found `None`."},
        BuildCase{"DenseOfZeroUnits", [] { layers::Dense d({.units = 0}); },
                  kValueError,
                  "Received an invalid value for `units`, expected a positive "
                  "integer, got 0."},
        BuildCase{"DenseOfIntInputs",
                  [] {
                    layers::dense(placeholder(int32, {2, 3}), {.units = 2});
                  },
                  kTypeError,
                  "Value passed to parameter 'a' has DataType int32 not in "
                  "list of allowed values: float32"},
        BuildCase{"DenseCalledWithNull",
                  [] { layers::dense(Output(), {.units = 2}); }, kValueError,
                  "Layer dense_1 was called with None"},
        BuildCase{"FlattenInAnUnknownDataFormat",
                  [] {
                    layers::flatten(Images({2, 3, 4}),
                                    {.data_format = "channels_middle"});
                  },
                  kValueError,
                  "The `data_format` argument must be one of "
                  "\"channels_first\", \"channels_last\". Received: "
                  "channels_middle"},
        BuildCase{"MaxPoolingWithoutStrides",
                  [] { layers::MaxPooling2D p({.pool_size = 2}); }, kValueError,
                  "Argument `strides` must not be None."},
        BuildCase{
            "MaxPoolingSizeOfLengthThree",
            [] {
              layers::MaxPooling2D p({.pool_size = {2, 2, 2}, .strides = 2});
            },
            kValueError,
            "The `pool_size` argument must be a tuple of 2 integers. "
            "Received: (2, 2, 2)"},
        BuildCase{"MaxPoolingOfARankThreeInput",
                  [] {
                    layers::max_pooling2d(Images({4, 4, 1}),
                                          {.pool_size = 2, .strides = 2});
                  },
                  kValueError,
                  "Input 0 of layer max_pooling2d_1 is incompatible with the "
                  "layer: expected ndim=4, found ndim=3. Full shape received: "
                  "[4, 4, 1]"},
        BuildCase{"AveragePoolingInAnUnknownPadding",
                  [] {
                    layers::AveragePooling2D p(
                        {.pool_size = 2, .strides = 2, .padding = "full"});
                  },
                  kValueError,
                  "The `padding` argument must be a list/tuple or one of "
                  "\"valid\", \"same\" (or \"causal\", only for `Conv1D). "
                  "Received: full"}),
    CaseName());

INSTANTIATE_TEST_SUITE_P(
    Normalization, BadLayerTest,
    ::testing::Values(
        BuildCase{"BatchNormalizationAxisOutOfRange",
                  [] {
                    layers::batch_normalization(Images({2, 3}), {.axis = 2});
                  },
                  kValueError, "Invalid axis: 2"},
        BuildCase{
            "BatchNormalizationDuplicateAxes",
            [] {
              layers::batch_normalization(Images({2, 3, 4}), {.axis = {1, -2}});
            },
            kValueError, "Duplicate axis: [1, 1]"},
        BuildCase{"BatchNormalizationOfAnUnknownRank",
                  [] { layers::batch_normalization(placeholder(float32)); },
                  kValueError, "Input has undefined rank: <unknown>"},
        BuildCase{"BatchNormalizationOfAnUnknownAxisDim",
                  [] {
                    layers::batch_normalization(Images({2, -1}));
                  },
                  kValueError,
                  "Input has undefined `axis` dimension. Input shape: (2, ?)"},
        BuildCase{"ContribBatchNormInAnUnknownDataFormat",
                  [] {
                    contrib::layers::batch_norm(Images({2, 4, 4, 3}),
                                                {.data_format = "NCWH"});
                  },
                  kValueError, "data_format has to be either NCHW or NHWC."},
        BuildCase{
            "ContribBatchNormOfUnknownChannels",
            [] {
              contrib::layers::batch_norm(Images({2, 4, 4, -1}));
            },
            kValueError,
            "Input has undefined `axis` dimension. Input shape: (2, 4, 4, ?)"},
        BuildCase{
            "ContribConv2DWithoutNumOutputs",
            [] {
              contrib::layers::conv2d(Images({1, 5, 5, 1}), {.kernel_size = 3});
            },
            kTypeError,
            "missing 1 required positional argument: 'num_outputs'"},
        BuildCase{"ContribConvolutionOfARankTwoInput",
                  [] {
                    contrib::layers::convolution(
                        Images({5, 3}), {.num_outputs = 2, .kernel_size = 3});
                  },
                  kValueError, "Convolution not supported for input with rank"},
        BuildCase{"ContribConv2DInAnUnknownDataFormat",
                  [] {
                    contrib::layers::conv2d(Images({1, 5, 5, 1}),
                                            {.num_outputs = 2,
                                             .kernel_size = 3,
                                             .data_format = "HWCN"});
                  },
                  kValueError, "Invalid data_format: 'HWCN'"}),
    CaseName());

// A layer whose call failed can still be called with a good input.
class BadLayerStateTest : public test::BadInputTest {};

TEST_F(BadLayerStateTest, DenseStillBuildsAfterABadInput) {
  layers::Dense d({.units = 2, .kernel_initializer = ones_initializer()});
  ExpectError([&] { d(Images({3})); }, kValueError,
              "expected min_ndim=2, found ndim=1");
  auto x = placeholder(float32, {1, 3}, "x");
  auto y = d(x);
  EXPECT_EQ(d.kernel().shape().ToString(), "(3, 2)");
  ASSERT_TRUE(sess_.run(global_variables_initializer()).ok());
  auto out =
      sess_.run({{x, Tensor::FromVector<float>({1, 2, 3}, {1, 3})}}, {y});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ::testing::ElementsAre(6, 6));
  ExpectSessionStillRuns();
}

}  // namespace
}  // namespace minitf
