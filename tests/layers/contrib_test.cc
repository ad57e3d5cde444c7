// tf.contrib.layers and arg_scope (TF1_SEMANTICS.md 3.1-3.5): the cases of
// TF 1.15's layers_test.py ported with their names, shapes, collections and
// messages, batch_norm's updates and values, and a gradient check.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "minitf/layers/contrib/arg_scope.h"
#include "minitf/layers/contrib/layers.h"
#include "minitf/minitf.h"
#include "minitf/tests/variables/test_util.h"

namespace minitf {
namespace {

namespace cl = ::minitf::contrib::layers;
namespace fw = ::minitf::contrib::framework;
using ::minitf::contrib::framework::Arg;
using ::minitf::test::EvalAll;
using ::minitf::test::ExpectError;
using ::minitf::test::Names;
using ::minitf::test::Values;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

class ContribLayersTest : public test::GraphTest {};

std::vector<float> RandomValues(int64_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::vector<float> values(n);
  for (float& v : values) v = uniform(gen);
  return values;
}

// A constant of `shape` holding uniform [0, 1) values.
Output Images(const Shape& shape, uint32_t seed = 1) {
  return constant<float>(RandomValues(shape.num_elements(), seed), shape,
                         "images");
}

std::vector<int64_t> Dims(const Shape& shape) {
  return std::vector<int64_t>(shape.dims().begin(), shape.dims().end());
}
std::vector<int64_t> Dims(Output t) { return Dims(t.shape()); }

std::vector<std::string> OpNames(const std::vector<CollectionItem>& items) {
  std::vector<std::string> names;
  for (const CollectionItem& item : items) names.push_back(item.op().name());
  return names;
}

std::vector<Variable> Collection(const std::string& key,
                                 const std::string& scope = "") {
  return VariablesInCollection(key, scope);
}

// ---------------------------------------------------------------------------
// convolution2d (3.3)
// ---------------------------------------------------------------------------

TEST_F(ContribLayersTest, CreateConv) {  // 3.3 case 1, 2
  Output images = Images({5, 7, 9, 4});
  Output output =
      cl::convolution2d(images, {.num_outputs = 32, .kernel_size = {3, 3}});
  EXPECT_EQ(output.op().name(), "Conv/Relu");
  EXPECT_THAT(Dims(output), ElementsAre(5, 7, 9, 32));
  std::vector<Variable> weights = Collection(GraphKeys::MODEL_VARIABLES);
  ASSERT_THAT(weights, SizeIs(2));
  EXPECT_EQ(weights[0].name(), "Conv/weights:0");
  EXPECT_THAT(Dims(weights[0].shape()), ElementsAre(3, 3, 4, 32));
  EXPECT_EQ(weights[1].name(), "Conv/biases:0");
  EXPECT_THAT(Dims(weights[1].shape()), ElementsAre(32));
  // A model variable is also a global and a trainable one.
  EXPECT_THAT(Names(global_variables()),
              ElementsAre("Conv/weights:0", "Conv/biases:0"));
  EXPECT_THAT(Names(trainable_variables()),
              ElementsAre("Conv/weights:0", "Conv/biases:0"));
}

TEST_F(ContribLayersTest, NonReuseVars) {  // case 2
  Output images = Images({5, 3, 3, 3});
  cl::convolution2d(images, {.num_outputs = 32, .kernel_size = {3, 3}});
  EXPECT_THAT(global_variables(), SizeIs(2));
  Output second =
      cl::convolution2d(images, {.num_outputs = 32, .kernel_size = {3, 3}});
  EXPECT_THAT(global_variables(), SizeIs(4));
  EXPECT_EQ(second.op().name(), "Conv_1/Relu");
  EXPECT_EQ(global_variables()[2].name(), "Conv_1/weights:0");
}

TEST_F(ContribLayersTest, CreateConvNCHW) {  // case 3
  Output images = Images({5, 4, 7, 9});
  Output output = cl::convolution2d(
      images,
      {.num_outputs = 32, .kernel_size = {3, 3}, .data_format = "NCHW"});
  EXPECT_EQ(output.op().name(), "Conv/Relu");
  EXPECT_THAT(Dims(output), ElementsAre(5, 32, 7, 9));
  EXPECT_THAT(Dims(model_variables("Conv/weights")[0].shape()),
              ElementsAre(3, 3, 4, 32));
  EXPECT_THAT(Dims(model_variables("Conv/biases")[0].shape()), ElementsAre(32));
}

TEST_F(ContribLayersTest, CreateSquareConvAndTensorShapeKernel) {  // case 4
  Output images = Images({5, 7, 9, 4});
  Output square =
      cl::convolution2d(images, {.num_outputs = 32, .kernel_size = 3});
  EXPECT_THAT(Dims(square), ElementsAre(5, 7, 9, 32));
  // kernel_size=images.get_shape()[1:3]
  std::vector<int64_t> kernel = {images.shape().dim(1), images.shape().dim(2)};
  Output full =
      cl::convolution2d(images, {.num_outputs = 32, .kernel_size = kernel});
  EXPECT_THAT(Dims(full), ElementsAre(5, 7, 9, 32));
}

TEST_F(ContribLayersTest, CreateFullyConv) {  // case 5
  Output images = Images({5, 7, 9, 32});
  Output output = cl::convolution2d(
      images, {.num_outputs = 64, .kernel_size = {7, 9}, .padding = "VALID"});
  EXPECT_EQ(output.op().name(), "Conv/Relu");
  EXPECT_THAT(Dims(output), ElementsAre(5, 1, 1, 64));
  EXPECT_THAT(Dims(model_variables("Conv/biases")[0].shape()), ElementsAre(64));
}

TEST_F(ContribLayersTest, CreateVerticalAndHorizontalConv) {  // case 6
  Output images = Images({5, 7, 9, 4});
  Output vertical = cl::convolution2d(
      images, {.num_outputs = 32, .kernel_size = {3, 1}, .scope = "v"});
  Output horizontal = cl::convolution2d(
      images, {.num_outputs = 32, .kernel_size = {1, 3}, .scope = "h"});
  EXPECT_THAT(Dims(vertical), ElementsAre(5, 7, 9, 32));
  EXPECT_THAT(Dims(horizontal), ElementsAre(5, 7, 9, 32));
  EXPECT_THAT(Dims(model_variables("v/weights")[0].shape()),
              ElementsAre(3, 1, 4, 32));
  EXPECT_THAT(Dims(model_variables("h/weights")[0].shape()),
              ElementsAre(1, 3, 4, 32));
}

TEST_F(ContribLayersTest, CreateConvWithStride) {  // case 7
  Output images = Images({5, 6, 8, 3});
  Output output = cl::convolution2d(
      images, {.num_outputs = 32, .kernel_size = {3, 3}, .stride = 2});
  EXPECT_EQ(output.op().name(), "Conv/Relu");
  EXPECT_THAT(Dims(output), ElementsAre(5, 3, 4, 32));
}

TEST_F(ContribLayersTest, CreateConvCreatesWeightsAndBiasesVarsWithScope) {
  // cases 8 and 9
  Output images = Images({5, 3, 3, 3});
  EXPECT_THAT(model_variables("conv1/weights"), IsEmpty());
  EXPECT_THAT(model_variables("conv1/biases"), IsEmpty());
  Output output = cl::convolution2d(
      images, {.num_outputs = 32, .kernel_size = {3, 3}, .scope = "conv1"});
  EXPECT_EQ(output.op().name(), "conv1/Relu");
  EXPECT_THAT(Names(model_variables("conv1/weights")),
              ElementsAre("conv1/weights:0"));
  EXPECT_THAT(Names(model_variables("conv1/biases")),
              ElementsAre("conv1/biases:0"));
}

TEST_F(ContribLayersTest, CreateConvWithCollection) {  // case 10
  Output images = Images({5, 7, 9, 3});
  Output output;
  {
    name_scope fe("fe");
    output = cl::convolution2d(images, {.num_outputs = 32,
                                        .kernel_size = {3, 3},
                                        .outputs_collections = "outputs",
                                        .scope = "Conv"});
  }
  EXPECT_EQ(output.op().name(), "fe/Conv/Relu");
  std::vector<CollectionItem> outputs = get_collection("outputs");
  ASSERT_THAT(outputs, SizeIs(1));
  EXPECT_EQ(outputs[0].output(), output);
  // The alias is the variable scope's name, not the op's.
  EXPECT_THAT(cl::utils::get_tensor_aliases(output), ElementsAre("Conv"));
  auto dict = cl::utils::convert_collection_to_dict("outputs");
  ASSERT_THAT(dict, SizeIs(1));
  EXPECT_EQ(dict[0].first, "Conv");
  EXPECT_EQ(dict[0].second, output);
}

TEST_F(ContribLayersTest, OutputsCollectionsListAndNone) {  // case 10 [C]
  Output images = Images({5, 7, 9, 3});
  Output a =
      cl::convolution2d(images, {.num_outputs = 4,
                                 .kernel_size = 3,
                                 .outputs_collections = {"first", "second"},
                                 .scope = "a"});
  Output b = cl::convolution2d(images, {.num_outputs = 4,
                                        .kernel_size = 3,
                                        .outputs_collections = nullptr,
                                        .scope = "b"});
  EXPECT_THAT(get_collection("first"), SizeIs(1));
  EXPECT_THAT(get_collection("second"), SizeIs(1));
  EXPECT_THAT(cl::utils::get_tensor_aliases(a), ElementsAre("a"));
  // Nothing collected: the alias falls back to the tensor's name.
  EXPECT_THAT(cl::utils::get_tensor_aliases(b), ElementsAre("b/Relu"));
  // append_tensor_alias strips one trailing slash.
  cl::utils::append_tensor_alias(b, "scope/");
  EXPECT_THAT(cl::utils::get_tensor_aliases(b), ElementsAre("scope"));
}

TEST_F(ContribLayersTest, CreateConvWithoutActivation) {  // case 11
  Output images = Images({5, 7, 9, 3});
  Output output = cl::convolution2d(
      images,
      {.num_outputs = 32, .kernel_size = {3, 3}, .activation_fn = nullptr});
  EXPECT_EQ(output.op().name(), "Conv/BiasAdd");
}

TEST_F(ContribLayersTest, CreateConvValid) {  // case 12
  Output images = Images({5, 7, 9, 3});
  Output output = cl::convolution2d(
      images, {.num_outputs = 32, .kernel_size = {3, 3}, .padding = "VALID"});
  EXPECT_THAT(Dims(output), ElementsAre(5, 5, 7, 32));
}

TEST_F(ContribLayersTest, CreateConvWithWD) {  // case 13
  Output images = Images({5, 7, 9, 3});
  cl::convolution2d(images, {.num_outputs = 32,
                             .kernel_size = {3, 3},
                             .weights_regularizer = cl::l2_regularizer(0.01)});
  std::vector<CollectionItem> losses =
      get_collection(GraphKeys::REGULARIZATION_LOSSES);
  ASSERT_THAT(losses, SizeIs(1));
  // Named after the tf.layers weight ("kernel"), not "weights".
  EXPECT_EQ(losses[0].op().name(), "Conv/kernel/Regularizer/l2_regularizer");
  Variable weights = model_variables("Conv/weights")[0];
  std::vector<Tensor> out = EvalAll({losses[0].output(), weights});
  double sum_squares = 0;
  for (float w : Values<float>(out[1])) sum_squares += double(w) * w;
  EXPECT_NEAR(Values<float>(out[0])[0], 0.01 * sum_squares / 2, 1e-6);
}

TEST_F(ContribLayersTest, CreateConvNoRegularizers) {  // case 14
  cl::convolution2d(Images({5, 7, 9, 3}),
                    {.num_outputs = 32, .kernel_size = {3, 3}});
  EXPECT_THAT(get_collection(GraphKeys::REGULARIZATION_LOSSES), IsEmpty());
}

TEST_F(ContribLayersTest, ReuseVars) {  // case 15
  Output images = Images({5, 3, 3, 3});
  cl::convolution2d(
      images, {.num_outputs = 32, .kernel_size = {3, 3}, .scope = "conv1"});
  EXPECT_THAT(global_variables(), SizeIs(2));
  Output reused = cl::convolution2d(images, {.num_outputs = 32,
                                             .kernel_size = {3, 3},
                                             .reuse = true,
                                             .scope = "conv1"});
  EXPECT_THAT(global_variables(), SizeIs(2));
  EXPECT_EQ(reused.op().name(), "conv1_1/Relu");
}

TEST_F(ContribLayersTest, ReuseWithoutScopeIsAnError) {  // case 16
  ExpectError(
      [] {
        cl::convolution2d(
            Images({5, 3, 3, 3}),
            {.num_outputs = 32, .kernel_size = {3, 3}, .reuse = true});
      },
      "ValueError", "reuse=True cannot be used without a name_or_scope");
}

TEST_F(ContribLayersTest, ReuseConvWithWD) {  // case 17
  Output images = Images({5, 3, 3, 3});
  fw::arg_scope scope(
      {cl::convolution2d},
      cl::ConvolutionOptions{.weights_regularizer = cl::l2_regularizer(0.01)});
  cl::convolution2d(
      images, {.num_outputs = 32, .kernel_size = {3, 3}, .scope = "conv1"});
  EXPECT_THAT(global_variables(), SizeIs(2));
  EXPECT_THAT(get_collection(GraphKeys::REGULARIZATION_LOSSES), SizeIs(1));
  cl::convolution2d(images, {.num_outputs = 32,
                             .kernel_size = {3, 3},
                             .reuse = true,
                             .scope = "conv1"});
  EXPECT_THAT(global_variables(), SizeIs(2));
  EXPECT_THAT(get_collection(GraphKeys::REGULARIZATION_LOSSES), SizeIs(1));
}

TEST_F(ContribLayersTest, ConvWithBatchNorm) {  // case 18
  Output images = Images({5, 32, 32, 3});
  fw::arg_scope scope(
      {cl::convolution2d},
      cl::ConvolutionOptions{
          .normalizer_fn = cl::batch_norm,
          .normalizer_params = cl::BatchNormOptions{.decay = 0.9f}});
  Output net =
      cl::convolution2d(images, {.num_outputs = 32, .kernel_size = {3, 3}});
  net = cl::convolution2d(net, {.num_outputs = 32, .kernel_size = {3, 3}});
  // weights + BatchNorm/{beta, moving_mean, moving_variance}, no biases.
  EXPECT_THAT(global_variables(), SizeIs(8));
  EXPECT_THAT(global_variables("Conv/BatchNorm"), SizeIs(3));
  EXPECT_THAT(global_variables("Conv_1/BatchNorm"), SizeIs(3));
  EXPECT_THAT(model_variables("Conv/biases"), IsEmpty());
  // The normalizer runs before the activation.
  EXPECT_EQ(net.op().name(), "Conv_1/Relu");
}

TEST_F(ContribLayersTest, CreateConvWithRateTwo) {  // case 20
  Output images = Images({5, 3, 3, 3});
  cl::convolution2d(
      images,
      {.num_outputs = 32, .kernel_size = {3, 3}, .rate = 2, .scope = "conv1"});
  EXPECT_THAT(model_variables("conv1/weights"), SizeIs(1));
  EXPECT_THAT(model_variables("conv1/biases"), SizeIs(1));
}

TEST_F(ContribLayersTest, OutputSizeWithRate) {  // case 21
  Output images = Images({5, 10, 12, 3});
  Output same = cl::convolution2d(
      images, {.num_outputs = 32, .kernel_size = {3, 3}, .rate = 2});
  Output valid = cl::convolution2d(images, {.num_outputs = 32,
                                            .kernel_size = {3, 3},
                                            .padding = "VALID",
                                            .rate = 2});
  Output valid23 = cl::convolution2d(images, {.num_outputs = 32,
                                              .kernel_size = {3, 3},
                                              .padding = "VALID",
                                              .rate = {2, 3}});
  EXPECT_THAT(Dims(same), ElementsAre(5, 10, 12, 32));
  EXPECT_THAT(Dims(valid), ElementsAre(5, 6, 8, 32));
  EXPECT_THAT(Dims(valid23), ElementsAre(5, 6, 6, 32));
  std::vector<Tensor> out = EvalAll({same, valid, valid23});
  EXPECT_THAT(Dims(out[0].shape()), ElementsAre(5, 10, 12, 32));
  EXPECT_THAT(Dims(out[1].shape()), ElementsAre(5, 6, 8, 32));
  EXPECT_THAT(Dims(out[2].shape()), ElementsAre(5, 6, 6, 32));
}

TEST_F(ContribLayersTest, DynamicOutputSizeValidPadding) {  // case 22
  Output images = placeholder(DataType::kFloat, {-1, -1, -1, 3}, "images");
  Output rate1 = cl::convolution2d(
      images, {.num_outputs = 32, .kernel_size = {3, 3}, .padding = "VALID"});
  Output rate2 = cl::convolution2d(images, {.num_outputs = 32,
                                            .kernel_size = {3, 3},
                                            .padding = "VALID",
                                            .rate = 2});
  EXPECT_THAT(Dims(rate1), ElementsAre(-1, -1, -1, 32));
  EXPECT_THAT(Dims(rate2), ElementsAre(-1, -1, -1, 32));
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  Tensor value = Tensor::FromVector<float>(RandomValues(5 * 9 * 11 * 3, 2),
                                           Shape{5, 9, 11, 3});
  auto out = sess.run({{images, value}}, {rate1, rate2}, {});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(Dims((*out)[0].shape()), ElementsAre(5, 7, 9, 32));
  EXPECT_THAT(Dims((*out)[1].shape()), ElementsAre(5, 5, 7, 32));
}

TEST_F(ContribLayersTest, WithScopeRateTwo) {  // case 23
  Output images = Images({5, 9, 11, 3});
  Output relu = cl::convolution2d(images, {.num_outputs = 32,
                                           .kernel_size = {3, 3},
                                           .padding = "VALID",
                                           .rate = 2,
                                           .scope = "conv7"});
  Output linear = cl::convolution2d(images, {.num_outputs = 32,
                                             .kernel_size = {3, 3},
                                             .padding = "VALID",
                                             .rate = 2,
                                             .activation_fn = nullptr,
                                             .scope = "conv8"});
  EXPECT_EQ(relu.op().name(), "conv7/Relu");
  EXPECT_EQ(linear.op().name(), "conv8/BiasAdd");
  EXPECT_THAT(Dims(relu), ElementsAre(5, 5, 7, 32));
}

TEST_F(ContribLayersTest, InvalidShape) {  // case 24
  ExpectError(
      [] {
        cl::convolution3d(Images({5, 6, 7, 3}),
                          {.num_outputs = 32, .kernel_size = 3});
      },
      "ValueError", "Convolution expects input with rank 5, got 4");
  ExpectError(
      [] {
        cl::convolution2d(Images({1, 5, 6, 7, 3}),
                          {.num_outputs = 32, .kernel_size = 3});
      },
      "ValueError", "Convolution expects input with rank 4, got 5");
  ExpectError(
      [] {
        cl::convolution(
            placeholder(DataType::kFloat, {1, 2, 3, 4, 5, 6}, "six"),
            {.num_outputs = 2, .kernel_size = 3});
      },
      "ValueError", "('Convolution not supported for input with rank', 6)");
}

TEST_F(ContribLayersTest, InvalidDataFormat) {  // cases 25, 26
  ExpectError(
      [] {
        cl::convolution2d(
            Images({5, 7, 9, 3}),
            {.num_outputs = 32, .kernel_size = 3, .data_format = "CHWN"});
      },
      "ValueError", "Invalid data_format: 'CHWN'");
  // Only the "NC" prefix matters; the format is not checked against rank.
  Output nwc = cl::convolution2d(
      Images({5, 7, 9, 3}),
      {.num_outputs = 8, .kernel_size = 3, .data_format = "NDHWC"});
  EXPECT_THAT(Dims(nwc), ElementsAre(5, 7, 9, 8));
  Output ncw = cl::convolution2d(
      Images({5, 3, 7, 9}),
      {.num_outputs = 8, .kernel_size = 3, .data_format = "NCW"});
  EXPECT_THAT(Dims(ncw), ElementsAre(5, 8, 7, 9));
}

TEST_F(ContribLayersTest, RateAndStrideBothAboveOne) {  // case 27
  ExpectError(
      [] {
        cl::convolution2d(
            Images({5, 9, 9, 3}),
            {.num_outputs = 8, .kernel_size = 3, .stride = 2, .rate = 2});
      },
      "ValueError",
      "strides > 1 not supported in conjunction with dilation_rate > 1");
}

TEST_F(ContribLayersTest, VariablesCollectionsListAndDict) {  // case 28
  Output images = Images({5, 7, 9, 3});
  cl::convolution2d(images, {.num_outputs = 4,
                             .kernel_size = 3,
                             .variables_collections = {"all"},
                             .scope = "list"});
  cl::convolution2d(
      images, {.num_outputs = 4,
               .kernel_size = 3,
               .variables_collections = cl::CollectionsDict{{"weights", {"w"}}},
               .scope = "dict"});
  EXPECT_THAT(Names(Collection("all")),
              ElementsAre("list/weights:0", "list/biases:0"));
  // A missing key adds nothing.
  EXPECT_THAT(Names(Collection("w")), ElementsAre("dict/weights:0"));
  // Reuse does not add the variables again.
  cl::convolution2d(images, {.num_outputs = 4,
                             .kernel_size = 3,
                             .reuse = true,
                             .variables_collections = {"all"},
                             .scope = "list"});
  EXPECT_THAT(Collection("all"), SizeIs(2));
}

TEST_F(ContribLayersTest, TrainableFlagIsPassedOn) {  // case 29
  for (bool trainable : {true, false}) {
    Graph graph;
    GraphGuard guard(graph);
    cl::conv2d(Images({5, 7, 9, 3}),
               {.num_outputs = 4, .kernel_size = 3, .trainable = trainable});
    std::vector<Variable> model = model_variables();
    ASSERT_THAT(model, SizeIs(2));
    for (const Variable& v : model) {
      const std::vector<std::string> trainable_names =
          Names(trainable_variables());
      EXPECT_EQ(std::count(trainable_names.begin(), trainable_names.end(),
                           v.name()) == 1,
                trainable)
          << v.name();
    }
  }
}

TEST_F(ContribLayersTest, FullyConvWithCustomGetter) {
  // CLT testFullyConvWithCustomGetter: the rename getter composes with the
  // user's, which sees the renamed names once each.
  std::vector<std::string> seen;
  {
    variable_scope test("test",
                        {.custom_getter = [&](const Getter& getter,
                                              const GetVariableArgs& args) {
                          seen.push_back(args.name);
                          return getter(args);
                        }});
    Output images = Images({5, 7, 9, 32});
    cl::convolution2d(images, {.num_outputs = 64, .kernel_size = {7, 9}});
  }
  EXPECT_THAT(seen, ElementsAre("test/Conv/weights", "test/Conv/biases"));
}

TEST_F(ContribLayersTest, ConvolutionRanks) {
  Output x1 = Images({2, 9, 3});
  Output y1 = cl::convolution(x1, {.num_outputs = 4, .kernel_size = 3});
  EXPECT_THAT(Dims(y1), ElementsAre(2, 9, 4));
  EXPECT_THAT(Dims(model_variables("Conv/weights")[0].shape()),
              ElementsAre(3, 3, 4));
  Output y3 = cl::conv3d(Images({2, 4, 5, 6, 3}),
                         {.num_outputs = 4, .kernel_size = 3, .stride = 2});
  EXPECT_THAT(Dims(y3), ElementsAre(2, 2, 3, 3, 4));
  EXPECT_EQ(y3.op().name(), "Conv_1/Relu");
  Output y1ncw =
      cl::conv1d(Images({2, 3, 9}),
                 {.num_outputs = 4, .kernel_size = 3, .data_format = "NCW"});
  EXPECT_THAT(Dims(y1ncw), ElementsAre(2, 4, 9));
}

TEST_F(ContribLayersTest, ConvolutionValues) {
  // A 1x1 convolution with known weights: relu(x . w + b) per pixel.
  Output images = Images({2, 3, 3, 2});
  Output output = cl::conv2d(
      images, {.num_outputs = 1,
               .kernel_size = 1,
               .weights_initializer = constant_initializer({1.0, -2.0}),
               .biases_initializer = constant_initializer(0.25)});
  std::vector<Tensor> out = EvalAll({images, output});
  std::vector<float> x = Values<float>(out[0]);
  std::vector<float> y = Values<float>(out[1]);
  ASSERT_THAT(y, SizeIs(18));
  for (int i = 0; i < 18; ++i) {
    EXPECT_NEAR(y[i], std::max(0.0f, x[2 * i] - 2 * x[2 * i + 1] + 0.25f),
                1e-5f);
  }
}

TEST_F(ContribLayersTest, MissingAndUnexpectedArguments) {
  ExpectError(
      [] {
        cl::conv2d(Images({1, 3, 3, 1}), {});
      },
      "TypeError",
      "convolution2d() missing 2 required positional arguments: "
      "'num_outputs' and 'kernel_size'");
  ExpectError(
      [] {
        cl::conv2d(Images({1, 3, 3, 1}),
                   {.num_outputs = 1, .kernel_size = 1, .conv_dims = 2});
      },
      "TypeError",
      "convolution2d() got an unexpected keyword argument 'conv_dims'");
  ExpectError(
      [] {
        cl::fully_connected(Images({2, 3}), {});
      },
      "TypeError",
      "fully_connected() missing 1 required positional argument: "
      "'num_outputs'");
}

// ---------------------------------------------------------------------------
// arg_scope (3.3 case 30)
// ---------------------------------------------------------------------------

TEST_F(ContribLayersTest, ArgScopeAppliesAndExplicitArgumentsWin) {
  Output images = Images({5, 7, 9, 3});
  fw::arg_scope scope({cl::conv2d},
                      cl::ConvolutionOptions{.num_outputs = 8,
                                             .kernel_size = 3,
                                             .padding = "VALID",
                                             .activation_fn = nullptr});
  Output scoped = cl::conv2d(images, {.scope = "scoped"});
  EXPECT_THAT(Dims(scoped), ElementsAre(5, 5, 7, 8));
  EXPECT_EQ(scoped.op().name(), "scoped/BiasAdd");
  Output explicit_args = cl::conv2d(images, {.num_outputs = 4,
                                             .padding = "SAME",
                                             .activation_fn = nn::relu,
                                             .scope = "explicit"});
  EXPECT_THAT(Dims(explicit_args), ElementsAre(5, 7, 9, 4));
  EXPECT_EQ(explicit_args.op().name(), "explicit/Relu");
}

TEST_F(ContribLayersTest, NestedArgScopesMerge) {
  Output images = Images({5, 7, 9, 3});
  fw::arg_scope outer(
      {cl::conv2d, cl::fully_connected},
      cl::FullyConnectedOptions{.activation_fn = nullptr, .scope = "outer"});
  {
    fw::arg_scope inner({cl::conv2d}, cl::ConvolutionOptions{.num_outputs = 2,
                                                             .scope = "inner"});
    // Inner values win; the outer activation_fn stays.
    Output y = cl::conv2d(images, {.kernel_size = 3});
    EXPECT_EQ(y.op().name(), "inner/BiasAdd");
    EXPECT_THAT(Dims(y), ElementsAre(5, 7, 9, 2));
    // current_arg_scope() can be saved and re-entered.
    fw::ArgScope saved = fw::current_arg_scope();
    {
      fw::arg_scope reset({cl::conv2d},
                          cl::ConvolutionOptions{.scope = "other"});
      fw::arg_scope again(saved);
      // The saved scope (not "other"): inner's variables, reused.
      EXPECT_EQ(
          cl::conv2d(images, {.kernel_size = 3, .reuse = true}).op().name(),
          "inner_1/BiasAdd");
      EXPECT_THAT(global_variables(), SizeIs(2));
    }
  }
  // Outside the inner scope only the outer values apply.
  Output fc = cl::fully_connected(Images({2, 3}), {.num_outputs = 4});
  EXPECT_EQ(fc.op().name(), "outer/BiasAdd");
}

TEST_F(ContribLayersTest, ArgScopeKeysAreFunctions) {
  Output images = Images({5, 7, 9, 3});
  // conv2d is convolution2d: a scope on one applies to the other...
  fw::arg_scope scope({cl::convolution2d},
                      cl::ConvolutionOptions{.activation_fn = nullptr});
  EXPECT_EQ(
      cl::conv2d(images, {.num_outputs = 2, .kernel_size = 1}).op().name(),
      "Conv/BiasAdd");
  // ...but not to convolution (a function of its own).
  EXPECT_EQ(
      cl::convolution(images, {.num_outputs = 2, .kernel_size = 1}).op().name(),
      "Conv_1/Relu");
  fw::ArgScope current = fw::current_arg_scope();
  EXPECT_THAT(current, SizeIs(1));
}

TEST_F(ContribLayersTest, ArgScopeUnexpectedKeywordIsTypeError) {
  fw::arg_scope scope({cl::conv2d, cl::fully_connected},
                      cl::ConvolutionOptions{.kernel_size = 3});
  EXPECT_THAT(Dims(cl::conv2d(Images({2, 5, 5, 1}), {.num_outputs = 2})),
              ElementsAre(2, 5, 5, 2));
  ExpectError(
      [] {
        cl::fully_connected(Images({2, 3}), {.num_outputs = 4});
      },
      "TypeError",
      "fully_connected() got an unexpected keyword argument 'kernel_size'");
}

TEST_F(ContribLayersTest, ArgScopeOnBatchNormAsNormalizer) {
  // The normalizer is itself scoped: arg_scope([batch_norm], ...) reaches
  // the call conv2d makes.
  fw::arg_scope bn({cl::batch_norm}, cl::BatchNormOptions{.scale = true});
  cl::conv2d(
      Images({2, 5, 5, 1}),
      {.num_outputs = 2, .kernel_size = 3, .normalizer_fn = cl::batch_norm});
  EXPECT_THAT(Names(model_variables("Conv/BatchNorm")),
              ElementsAre("Conv/BatchNorm/gamma:0", "Conv/BatchNorm/beta:0",
                          "Conv/BatchNorm/moving_mean:0",
                          "Conv/BatchNorm/moving_variance:0"));
}

// A user function made arg-scopable, as @add_arg_scope does in TF.
struct ScaleOptions {
  Arg<float> factor;  // 1
  Arg<int64_t> scope;

  template <typename Self, typename F>
  static void ForEachField(Self& self, F&& f) {
    f("factor", self.factor);
    f("scope", self.scope);
  }
};
Output Scale(Output x, const ScaleOptions& options) {
  const ScaleOptions o = fw::WithArgScope(Scale, "scale", options);
  return multiply(x, constant(o.factor.value_or(1.0f)));
}

TEST_F(ContribLayersTest, ArgScopeOnUserFunction) {
  Output x = constant<float>({1, 2}, {2});
  fw::arg_scope scope({Scale}, ScaleOptions{.factor = 3.0f});
  Output scoped = Scale(x, {});
  Output explicit_factor = Scale(x, {.factor = 0.5f});
  std::vector<Tensor> out = EvalAll({scoped, explicit_factor});
  EXPECT_THAT(Values<float>(out[0]), ElementsAre(3, 6));
  EXPECT_THAT(Values<float>(out[1]), ElementsAre(0.5, 1));
  // A keyword of the same name but another type is a TypeError too.
  fw::arg_scope mismatched({cl::conv2d}, ScaleOptions{.scope = 7});
  ExpectError(
      [] {
        cl::conv2d(Images({1, 3, 3, 1}), {.num_outputs = 1, .kernel_size = 1});
      },
      "TypeError",
      "convolution2d() got keyword argument 'scope' of a type it does not "
      "take");
}

TEST_F(ContribLayersTest, ArgScopeIsTrainingAcrossFunctions) {
  // slim's arg_scope([batch_norm, dropout], is_training=False).
  fw::arg_scope scope({cl::batch_norm, cl::dropout},
                      cl::BatchNormOptions{.is_training = false});
  Output images = Images({5, 3, 3, 3});
  cl::batch_norm(images);
  EXPECT_THAT(get_collection(GraphKeys::UPDATE_OPS), IsEmpty());
  EXPECT_EQ(cl::dropout(images).op().name(), "Dropout/Identity");
  EXPECT_THAT(cl::dropout(images, {.is_training = true}).op().name(),
              StartsWith("Dropout_1/dropout/"));
}

// ---------------------------------------------------------------------------
// fully_connected (3.4 "the same pattern in FC")
// ---------------------------------------------------------------------------

TEST_F(ContribLayersTest, CreateFC) {
  for (const Shape& shape : {Shape{5, 3}, Shape{5, 2, 3}}) {
    Graph graph;
    GraphGuard guard(graph);
    Output output = cl::fully_connected(Images(shape), {.num_outputs = 4});
    EXPECT_EQ(output.op().name(), "fully_connected/Relu");
    std::vector<int64_t> expected = Dims(shape);
    expected.back() = 4;
    EXPECT_EQ(Dims(output), expected);
    EXPECT_THAT(Dims(model_variables("fully_connected/weights")[0].shape()),
                ElementsAre(3, 4));
    EXPECT_THAT(Dims(model_variables("fully_connected/biases")[0].shape()),
                ElementsAre(4));
  }
}

TEST_F(ContribLayersTest, FCScopeCollectionAndActivation) {
  Output inputs = Images({5, 3});
  Output fc1 = cl::fully_connected(inputs, {.num_outputs = 4, .scope = "fc1"});
  EXPECT_EQ(fc1.op().name(), "fc1/Relu");
  EXPECT_THAT(Names(model_variables("fc1")),
              ElementsAre("fc1/weights:0", "fc1/biases:0"));
  Output fc = cl::fully_connected(
      inputs,
      {.num_outputs = 7, .outputs_collections = "outputs", .scope = "fc"});
  EXPECT_THAT(cl::utils::get_tensor_aliases(fc), ElementsAre("fc"));
  EXPECT_EQ(get_collection("outputs")[0].output(), fc);
  Output linear =
      cl::fully_connected(inputs, {.num_outputs = 2, .activation_fn = nullptr});
  EXPECT_EQ(linear.op().name(), "fully_connected/BiasAdd");
  Output unbiased =
      cl::fully_connected(inputs, {.num_outputs = 2,
                                   .activation_fn = nullptr,
                                   .biases_initializer = nullptr});
  EXPECT_EQ(unbiased.op().name(), "fully_connected_1/MatMul");
  EXPECT_THAT(model_variables("fully_connected_1"), SizeIs(1));
}

TEST_F(ContribLayersTest, CreateFCWithWDAndBD) {
  Output inputs = Images({5, 3});
  cl::fully_connected(inputs, {.num_outputs = 2,
                               .weights_regularizer = cl::l2_regularizer(0.01),
                               .biases_regularizer = cl::l2_regularizer(0.01)});
  EXPECT_THAT(OpNames(get_collection(GraphKeys::REGULARIZATION_LOSSES)),
              ElementsAre("fully_connected/kernel/Regularizer/l2_regularizer",
                          "fully_connected/bias/Regularizer/l2_regularizer"));
}

TEST_F(ContribLayersTest, FCReuseWithRegularizer) {
  Output inputs = Images({5, 3});
  Regularizer regularizer = [](Output x) {
    return multiply(reduce_sum(x), constant(1e-3f), "mul");
  };
  cl::fully_connected(
      inputs,
      {.num_outputs = 3, .weights_regularizer = regularizer, .scope = "fc1"});
  EXPECT_THAT(get_collection(GraphKeys::REGULARIZATION_LOSSES), SizeIs(1));
  cl::fully_connected(inputs, {.num_outputs = 3,
                               .weights_regularizer = regularizer,
                               .reuse = true,
                               .scope = "fc1"});
  EXPECT_THAT(get_collection(GraphKeys::REGULARIZATION_LOSSES), SizeIs(1));
  {
    variable_scope outer("outer", {.reuse = false});
    cl::fully_connected(inputs,
                        {.num_outputs = 3, .weights_regularizer = regularizer});
  }
  EXPECT_THAT(get_collection(GraphKeys::REGULARIZATION_LOSSES), SizeIs(2));
  {
    variable_scope outer("outer", {.reuse = true});
    cl::fully_connected(inputs,
                        {.num_outputs = 3, .weights_regularizer = regularizer});
  }
  EXPECT_THAT(get_collection(GraphKeys::REGULARIZATION_LOSSES), SizeIs(2));
}

TEST_F(ContribLayersTest, FCWithBatchNormAndReuse) {
  Output inputs = Images({5, 3});
  {
    fw::arg_scope scope(
        {cl::fully_connected},
        cl::FullyConnectedOptions{
            .normalizer_fn = cl::batch_norm,
            .normalizer_params = cl::BatchNormOptions{.decay = 0.9f}});
    Output net = cl::fully_connected(inputs, {.num_outputs = 3});
    cl::fully_connected(net, {.num_outputs = 3});
  }
  EXPECT_THAT(global_variables(), SizeIs(8));
  EXPECT_THAT(global_variables("fully_connected/BatchNorm"), SizeIs(3));
  EXPECT_THAT(global_variables("fully_connected_1/BatchNorm"), SizeIs(3));

  Graph graph;
  GraphGuard guard(graph);
  Output x = Images({5, 3});
  fw::arg_scope scope(
      {cl::fully_connected},
      cl::FullyConnectedOptions{
          .normalizer_fn = cl::batch_norm,
          .normalizer_params = cl::BatchNormOptions{.decay = 0.9f}});
  cl::fully_connected(x, {.num_outputs = 3, .scope = "fc1"});
  cl::fully_connected(x, {.num_outputs = 3, .reuse = true, .scope = "fc1"});
  EXPECT_THAT(global_variables(), SizeIs(4));
  EXPECT_THAT(global_variables("fc1/BatchNorm"), SizeIs(3));
}

// ---------------------------------------------------------------------------
// batch_norm (3.4)
// ---------------------------------------------------------------------------

TEST_F(ContribLayersTest, BatchNormCreateVariablesCorePath) {
  Output images = Images({5, 3, 3, 3});
  Output output = cl::batch_norm(images, {.scale = true});
  EXPECT_THAT(Dims(output), ElementsAre(5, 3, 3, 3));
  // The core layer creates gamma first (KBN build).
  EXPECT_THAT(
      OpNames(get_collection(GraphKeys::MODEL_VARIABLES)),
      ElementsAre("BatchNorm/gamma", "BatchNorm/beta", "BatchNorm/moving_mean",
                  "BatchNorm/moving_variance"));
  EXPECT_THAT(Names(trainable_variables()),
              ElementsAre("BatchNorm/gamma:0", "BatchNorm/beta:0"));
  EXPECT_THAT(get_collection(GraphKeys::UPDATE_OPS), SizeIs(2));
  EXPECT_THAT(output.op().name(), StartsWith("BatchNorm/FusedBatchNorm"));
}

TEST_F(ContribLayersTest, BatchNormCreationOrderFusedPath) {
  cl::batch_norm(Images({5, 3, 3, 3}),
                 {.scale = true, .updates_collections = "my_update_ops"});
  EXPECT_THAT(
      OpNames(get_collection(GraphKeys::MODEL_VARIABLES)),
      ElementsAre("BatchNorm/beta", "BatchNorm/gamma", "BatchNorm/moving_mean",
                  "BatchNorm/moving_variance"));
}

TEST_F(ContribLayersTest, BatchNormMovingAverageVariablesAndDefaults) {
  cl::batch_norm(Images({5, 3, 3, 3}));
  // Default scale=False: no gamma.
  EXPECT_THAT(Names(model_variables()),
              ElementsAre("BatchNorm/beta:0", "BatchNorm/moving_mean:0",
                          "BatchNorm/moving_variance:0"));
  Graph graph;
  GraphGuard guard(graph);
  cl::batch_norm(Images({5, 3, 3, 3}), {.scale = true});
  EXPECT_THAT(model_variables(), SizeIs(4));
}

TEST_F(ContribLayersTest, BatchNormUpdatesCollection) {
  cl::batch_norm(Images({5, 3, 3, 3}),
                 {.updates_collections = "my_update_ops"});
  EXPECT_THAT(
      OpNames(get_collection("my_update_ops")),
      ElementsAre("BatchNorm/AssignMovingAvg", "BatchNorm/AssignMovingAvg_1"));
  EXPECT_THAT(get_collection(GraphKeys::UPDATE_OPS), IsEmpty());
}

TEST_F(ContribLayersTest, BatchNormReuseUpdateOpsAndVariables) {
  Output images = Images({5, 3, 3, 3});
  fw::arg_scope scope(
      {cl::batch_norm},
      cl::BatchNormOptions{.updates_collections = "update_ops"});
  cl::batch_norm(images, {.scale = true, .scope = "bn"});
  EXPECT_THAT(get_collection("update_ops"), SizeIs(2));
  cl::batch_norm(images, {.scale = true, .reuse = true, .scope = "bn"});
  EXPECT_THAT(get_collection("update_ops"), SizeIs(4));
  EXPECT_THAT(model_variables("bn/beta"), SizeIs(1));
  EXPECT_THAT(model_variables("bn/gamma"), SizeIs(1));
  EXPECT_THAT(model_variables("bn/moving_"), SizeIs(2));
}

TEST_F(ContribLayersTest, BatchNormOutputOpNames) {
  Output images = Images({5, 3, 3, 3});
  Output composite = cl::batch_norm(images, {.fused = false});
  EXPECT_THAT(composite.op().name(), StartsWith("BatchNorm/batchnorm"));
  EXPECT_THAT(Dims(composite), ElementsAre(5, 3, 3, 3));
  Output fused = cl::batch_norm(images, {.fused = true});
  EXPECT_THAT(fused.op().name(), StartsWith("BatchNorm_1/FusedBatchNorm"));
  // Legacy path (custom updates, not fused).
  Output legacy =
      cl::batch_norm(images, {.updates_collections = "mine", .fused = false});
  EXPECT_THAT(legacy.op().name(), StartsWith("BatchNorm_2/batchnorm"));
  EXPECT_THAT(Dims(legacy), ElementsAre(5, 3, 3, 3));
  // Rank 2 runs on the fused op, reshaped back.
  Output rank2 = cl::batch_norm(Images({5, 3}));
  EXPECT_THAT(Dims(rank2), ElementsAre(5, 3));
}

TEST_F(ContribLayersTest, BatchNormParamRegularizers) {
  auto regularizer = [](Output x) {
    return multiply(constant(0.1f), reduce_sum(x), "mul");
  };
  Output images = Images({5, 3, 3, 3});
  cl::batch_norm(
      images, {.param_regularizers =
                   std::map<std::string, Regularizer>{{"beta", regularizer}}});
  EXPECT_THAT(OpNames(get_collection(GraphKeys::REGULARIZATION_LOSSES)),
              ElementsAre("BatchNorm/beta/Regularizer/mul"));
  cl::batch_norm(images, {.scale = true,
                          .param_regularizers = {{"gamma", regularizer}},
                          .scope = "g"});
  EXPECT_THAT(
      OpNames(get_collection(GraphKeys::REGULARIZATION_LOSSES)),
      ElementsAre("BatchNorm/beta/Regularizer/mul", "g/gamma/Regularizer/mul"));
}

TEST_F(ContribLayersTest, BatchNormParamInitializers) {
  Output images = Images({5, 2, 2, 3});
  cl::batch_norm(images, {.scale = true,
                          .param_initializers = {
                              {"beta", constant_initializer(0.5)},
                              {"gamma", constant_initializer(2.0)},
                              {"moving_mean", constant_initializer(0.25)},
                              {"moving_variance", constant_initializer(4.0)}}});
  std::vector<Variable> v = model_variables();
  ASSERT_THAT(v, SizeIs(4));
  std::vector<Tensor> out = EvalAll({v[0], v[1], v[2], v[3]});
  EXPECT_THAT(Values<float>(out[0]), ElementsAre(2, 2, 2));  // gamma
  EXPECT_THAT(Values<float>(out[1]), ElementsAre(0.5, 0.5, 0.5));
  EXPECT_THAT(Values<float>(out[2]), ElementsAre(0.25, 0.25, 0.25));
  EXPECT_THAT(Values<float>(out[3]), ElementsAre(4, 4, 4));
}

TEST_F(ContribLayersTest, BatchNormVariablesCollections) {
  cl::batch_norm(Images({5, 3, 3, 3}),
                 {.scale = true,
                  .variables_collections = cl::CollectionsDict{
                      {"beta", {"beta"}},
                      {"gamma", {"gamma"}},
                      {"moving_mean", {"moving_mean"}},
                      {"moving_variance", {"moving_variance"}}}});
  for (const std::string key :
       {"beta", "gamma", "moving_mean", "moving_variance"}) {
    EXPECT_THAT(Names(Collection(key)),
                ElementsAre(absl::StrCat("BatchNorm/", key, ":0")));
  }
  // The fused path creates them in the collections directly.
  cl::batch_norm(Images({5, 3}),
                 {.variables_collections = {"bn_vars"}, .scope = "fused"});
  EXPECT_THAT(Names(Collection("bn_vars")),
              ElementsAre("fused/beta:0", "fused/moving_mean:0",
                          "fused/moving_variance:0"));
}

TEST_F(ContribLayersTest, BatchNormNotTrainable) {
  cl::batch_norm(Images({5, 3, 3, 3}), {.scale = true, .trainable = false});
  EXPECT_THAT(trainable_variables(), IsEmpty());
  EXPECT_THAT(model_variables(), SizeIs(4));
}

TEST_F(ContribLayersTest, BatchNormErrors) {
  ExpectError(
      [] {
        cl::batch_norm(Images({5, 3, 3, 3}), {.data_format = "NCWH"});
      },
      "ValueError", "data_format has to be either NCHW or NHWC.");
  ExpectError([] { cl::batch_norm(placeholder(DataType::kFloat)); },
              "ValueError", HasSubstr("undefined rank"));
  ExpectError(
      [] {
        cl::batch_norm(placeholder(DataType::kFloat, {10, 3, 3, -1}));
      },
      "ValueError", HasSubstr("undefined"));
  ExpectError(
      [] {
        cl::batch_norm(placeholder(DataType::kFloat, {10, -1, 3, 3}),
                       {.data_format = "NCHW"});
      },
      "ValueError", HasSubstr("undefined"));
  // The legacy and fused paths' own texts.
  ExpectError(
      [] {
        cl::batch_norm(placeholder(DataType::kFloat, {10, 3, -1}, "x"),
                       {.updates_collections = nullptr});
      },
      "ValueError", "Inputs x:0 has undefined channels dimension (?,).");
  ExpectError(
      [] {
        cl::batch_norm(placeholder(DataType::kFloat, {10, 3, 3, -1}, "y"),
                       {.updates_collections = nullptr});
      },
      "ValueError", "Inputs y:0 has undefined `C` dimension (?,).");
}

// Batch statistics of values laid out as `shape` in `data_format`.
struct Moments {
  std::vector<double> mean, variance;  // population variance
};
Moments BatchMoments(const std::vector<float>& x, const Shape& shape,
                     bool nchw) {
  const int64_t n = shape.dim(0), c = nchw ? shape.dim(1) : shape.dim(3);
  const int64_t spatial = shape.num_elements() / (n * c);
  Moments m{std::vector<double>(c), std::vector<double>(c)};
  auto at = [&](int64_t b, int64_t ch, int64_t s) {
    return nchw ? x[(b * c + ch) * spatial + s] : x[(b * spatial + s) * c + ch];
  };
  for (int64_t ch = 0; ch < c; ++ch) {
    double sum = 0, sum_sq = 0;
    for (int64_t b = 0; b < n; ++b) {
      for (int64_t s = 0; s < spatial; ++s) {
        sum += at(b, ch, s);
        sum_sq += double(at(b, ch, s)) * at(b, ch, s);
      }
    }
    const double count = double(n * spatial);
    m.mean[ch] = sum / count;
    m.variance[ch] = sum_sq / count - m.mean[ch] * m.mean[ch];
  }
  return m;
}

void ExpectNear(const std::vector<float>& actual,
                const std::vector<double>& expected, double tolerance) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    EXPECT_NEAR(actual[i], expected[i], tolerance) << "at " << i;
  }
}

struct UpdateCase {
  bool fused;
  std::string data_format;
};

class BatchNormUpdatesTest : public ContribLayersTest,
                             public ::testing::WithParamInterface<UpdateCase> {
 protected:
  Shape ImageShape() const {
    return GetParam().data_format == "NHWC" ? Shape{10, 2, 2, 3}
                                            : Shape{10, 3, 2, 2};
  }
  // TF's expected moving variance: Bessel-corrected on the fused paths.
  std::vector<double> ExpectedVariance(const Moments& m) const {
    std::vector<double> v = m.variance;
    if (GetParam().fused) {
      for (double& x : v) x *= 40.0 / 39.0;
    }
    return v;
  }
};

// TF's _testDelayedUpdateMovingVars: UPDATE_OPS, run through control
// dependencies of the output.
TEST_P(BatchNormUpdatesTest, DelayedUpdateMovingVars) {
  const Shape shape = ImageShape();
  const std::vector<float> values = RandomValues(shape.num_elements(), 1);
  Output images = constant<float>(values, shape, "images");
  Output output =
      cl::batch_norm(images, {.decay = 0.1f,
                              .fused = GetParam().fused,
                              .data_format = GetParam().data_format});
  std::vector<CollectionItem> updates = get_collection(GraphKeys::UPDATE_OPS);
  ASSERT_THAT(updates, SizeIs(2));
  Output barrier_output;
  {
    control_dependencies deps({updates[0], updates[1]});
    barrier_output = identity(output, "with_updates");
  }
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  Variable moving_mean = model_variables("BatchNorm/moving_mean")[0];
  Variable moving_variance = model_variables("BatchNorm/moving_variance")[0];
  auto initial = sess.run({moving_mean, moving_variance});
  ASSERT_TRUE(initial.ok()) << initial.status();
  EXPECT_THAT(Values<float>((*initial)[0]), ElementsAre(0, 0, 0));
  EXPECT_THAT(Values<float>((*initial)[1]), ElementsAre(1, 1, 1));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(sess.run({barrier_output}).ok());
  auto after = sess.run({moving_mean, moving_variance, output});
  ASSERT_TRUE(after.ok()) << after.status();
  const Moments m =
      BatchMoments(values, shape, GetParam().data_format == "NCHW");
  ExpectNear(Values<float>((*after)[0]), m.mean, 1e-4);
  ExpectNear(Values<float>((*after)[1]), ExpectedVariance(m), 1e-4);
  // The output is normalized with the batch moments (beta 0, no gamma).
  const std::vector<float> y = Values<float>((*after)[2]);
  const bool nchw = GetParam().data_format == "NCHW";
  for (size_t i = 0; i < y.size(); ++i) {
    const size_t ch = nchw ? (i / 4) % 3 : i % 3;
    EXPECT_NEAR(
        y[i], (values[i] - m.mean[ch]) / std::sqrt(m.variance[ch] + 1e-3), 1e-3)
        << "at " << i;
  }
}

// TF's _testNoneUpdatesCollections: in-place updates, nothing collected.
TEST_P(BatchNormUpdatesTest, NoneUpdatesCollections) {
  const Shape shape = ImageShape();
  const std::vector<float> values = RandomValues(shape.num_elements(), 1);
  Output images = constant<float>(values, shape, "images");
  Output output =
      cl::batch_norm(images, {.decay = 0.1f,
                              .updates_collections = nullptr,
                              .fused = GetParam().fused,
                              .data_format = GetParam().data_format});
  EXPECT_THAT(get_collection(GraphKeys::UPDATE_OPS), IsEmpty());
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  Variable moving_mean = model_variables("BatchNorm/moving_mean")[0];
  Variable moving_variance = model_variables("BatchNorm/moving_variance")[0];
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(sess.run({output}).ok());
  auto after = sess.run({moving_mean, moving_variance});
  ASSERT_TRUE(after.ok()) << after.status();
  const Moments m =
      BatchMoments(values, shape, GetParam().data_format == "NCHW");
  ExpectNear(Values<float>((*after)[0]), m.mean, 1e-4);
  ExpectNear(Values<float>((*after)[1]), ExpectedVariance(m), 1e-4);
}

INSTANTIATE_TEST_SUITE_P(
    PathsAndFormats, BatchNormUpdatesTest,
    ::testing::Values(UpdateCase{false, "NHWC"}, UpdateCase{false, "NCHW"},
                      UpdateCase{true, "NHWC"}, UpdateCase{true, "NCHW"}),
    [](const auto& info) {
      return absl::StrCat(info.param.fused ? "Fused" : "NotFused",
                          info.param.data_format);
    });

TEST_F(ContribLayersTest, BatchNormNotTrainingUsesMovingStatistics) {
  for (bool fused : {false, true}) {
    Graph graph;
    GraphGuard guard(graph);
    const Shape shape{4, 2, 2, 3};
    const std::vector<float> values = RandomValues(shape.num_elements(), 3);
    Output images = constant<float>(values, shape, "images");
    // Custom updates: the fused or legacy function, no updates at all.
    Output output = cl::batch_norm(
        images,
        {.updates_collections = "mine", .is_training = false, .fused = fused});
    EXPECT_THAT(get_collection("mine"), IsEmpty());
    Output core = cl::batch_norm(images, {.is_training = false});
    EXPECT_THAT(get_collection(GraphKeys::UPDATE_OPS), IsEmpty());
    std::vector<Tensor> out = EvalAll({output, core});
    std::vector<double> expected;
    for (float v : values) expected.push_back(v / std::sqrt(1.0 + 1e-3));
    ExpectNear(Values<float>(out[0]), expected, 1e-5);
    ExpectNear(Values<float>(out[1]), expected, 1e-5);
  }
}

TEST_F(ContribLayersTest, BatchNormActivationAndAlias) {
  Output output = cl::batch_norm(
      Images({5, 3, 3, 3}),
      {.activation_fn = nn::relu, .outputs_collections = "outputs"});
  EXPECT_EQ(output.op().name(), "BatchNorm/Relu");
  EXPECT_THAT(cl::utils::get_tensor_aliases(output), ElementsAre("BatchNorm"));
}

// ---------------------------------------------------------------------------
// flatten, pooling, dropout
// ---------------------------------------------------------------------------

TEST_F(ContribLayersTest, Flatten) {
  Output images = Images({5, 3, 2, 4});
  Output output = cl::flatten(images, {.outputs_collections = "outputs"});
  EXPECT_THAT(Dims(output), ElementsAre(5, 24));
  EXPECT_TRUE(absl::StartsWith(output.op().name(), "Flatten/"))
      << output.op().name();
  EXPECT_THAT(cl::utils::get_tensor_aliases(output), ElementsAre("Flatten"));
  EXPECT_EQ(get_collection("outputs")[0].output(), output);
  std::vector<Tensor> out = EvalAll({images, output});
  EXPECT_EQ(Values<float>(out[0]), Values<float>(out[1]));
  Output scoped = cl::flatten(Images({5, 3, 2}), {.scope = "flat"});
  EXPECT_TRUE(absl::StartsWith(scoped.op().name(), "flat/"));
  EXPECT_THAT(Dims(scoped), ElementsAre(5, 6));
}

TEST_F(ContribLayersTest, MaxAndAvgPool2D) {
  Output images = Images({5, 3, 3, 3});
  Output max = cl::max_pool2d(images, {.kernel_size = {3, 3}});
  EXPECT_EQ(max.op().name(), "MaxPool2D/MaxPool");
  EXPECT_THAT(Dims(max), ElementsAre(5, 1, 1, 3));
  Output avg = cl::avg_pool2d(
      images, {.kernel_size = 3, .outputs_collections = "outputs"});
  EXPECT_EQ(avg.op().name(), "AvgPool2D/AvgPool");
  EXPECT_THAT(cl::utils::get_tensor_aliases(avg), ElementsAre("AvgPool2D"));
  Output scoped = cl::max_pool2d(images, {.kernel_size = 3, .scope = "pool1"});
  EXPECT_EQ(scoped.op().name(), "pool1/MaxPool");
  Output same =
      cl::avg_pool2d(images, {.kernel_size = {3, 3}, .padding = "SAME"});
  EXPECT_THAT(Dims(same), ElementsAre(5, 2, 2, 3));
  Output stride1 = cl::max_pool2d(
      images, {.kernel_size = {3, 3}, .stride = 1, .padding = "SAME"});
  EXPECT_THAT(Dims(stride1), ElementsAre(5, 3, 3, 3));
  Output nchw = cl::max_pool2d(Images({5, 3, 4, 6}),
                               {.kernel_size = 2, .data_format = "NCHW"});
  EXPECT_THAT(Dims(nchw), ElementsAre(5, 3, 2, 3));
  // Values: the global max and mean per channel.
  std::vector<Tensor> out = EvalAll({images, max, avg});
  const std::vector<float> x = Values<float>(out[0]);
  for (int b = 0; b < 5; ++b) {
    for (int c = 0; c < 3; ++c) {
      float m = -1;
      double sum = 0;
      for (int s = 0; s < 9; ++s) {
        m = std::max(m, x[(b * 9 + s) * 3 + c]);
        sum += x[(b * 9 + s) * 3 + c];
      }
      EXPECT_FLOAT_EQ(Values<float>(out[1])[b * 3 + c], m);
      EXPECT_NEAR(Values<float>(out[2])[b * 3 + c], sum / 9, 1e-5);
    }
  }
  ExpectError(
      [&] {
        cl::max_pool2d(images, {.kernel_size = 3, .data_format = "CHWN"});
      },
      "ValueError", "data_format has to be either NCHW or NHWC.");
}

TEST_F(ContribLayersTest, Dropout) {
  Output images = Images({5, 10, 10, 4});
  Output dropped = cl::dropout(
      images, {.keep_prob = 0.5f, .outputs_collections = "outputs", .seed = 1});
  EXPECT_TRUE(absl::StartsWith(dropped.op().name(), "Dropout/"));
  EXPECT_THAT(cl::utils::get_tensor_aliases(dropped), ElementsAre("Dropout"));
  Output kept = cl::dropout(images, {.is_training = false});
  EXPECT_EQ(kept.op().name(), "Dropout_1/Identity");
  std::vector<Tensor> out = EvalAll({images, dropped, kept});
  const std::vector<float> x = Values<float>(out[0]);
  const std::vector<float> y = Values<float>(out[1]);
  int zeros = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (y[i] == 0) {
      ++zeros;
    } else {
      EXPECT_FLOAT_EQ(y[i], 2 * x[i]);
    }
  }
  // 2000 elements kept with probability 0.5.
  EXPECT_GT(zeros, 850);
  EXPECT_LT(zeros, 1150);
  EXPECT_EQ(Values<float>(out[2]), x);
}

TEST_F(ContribLayersTest, DropoutKeepProbTensor) {
  Output images = Images({4, 50});
  Output dropped = cl::dropout(images, {.keep_prob = constant(0.25f)});
  std::vector<Tensor> out = EvalAll({images, dropped});
  const std::vector<float> x = Values<float>(out[0]);
  const std::vector<float> y = Values<float>(out[1]);
  int kept = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (y[i] != 0) {
      ++kept;
      EXPECT_FLOAT_EQ(y[i], 4 * x[i]);
    }
  }
  // 200 elements kept with probability 0.25.
  EXPECT_GT(kept, 25);
  EXPECT_LT(kept, 80);
}

// ---------------------------------------------------------------------------
// Gradients through conv2d + batch_norm
// ---------------------------------------------------------------------------

TEST_F(ContribLayersTest, Conv2dWithBatchNormGradient) {
  Output x = placeholder(DataType::kFloat, {2, 4, 4, 2}, "x");
  Output y = cl::conv2d(
      x, {.num_outputs = 3,
          .kernel_size = 3,
          .activation_fn = nullptr,
          .normalizer_fn = cl::batch_norm,
          .normalizer_params = cl::BatchNormOptions{.scale = true},
          .weights_initializer = random_normal_initializer(0.0f, 1.0f, 3)});
  EXPECT_THAT(y.op().name(), StartsWith("Conv/BatchNorm/FusedBatchNorm"));
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  Tensor value =
      Tensor::FromVector<float>(RandomValues(2 * 4 * 4 * 2, 5), {2, 4, 4, 2});
  absl::StatusOr<float> error = ComputeGradientError(sess, x, value, y);
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_LT(*error, 2e-2f);
  // The composite path too.
  Output x2 = placeholder(DataType::kFloat, {2, 4, 4, 2}, "x2");
  Output y2 = cl::conv2d(
      x2,
      {.num_outputs = 3,
       .kernel_size = 3,
       .activation_fn = nullptr,
       .normalizer_fn = cl::batch_norm,
       .normalizer_params = cl::BatchNormOptions{.scale = true, .fused = false},
       .weights_initializer = random_normal_initializer(0.0f, 1.0f, 3)});
  Session sess2(graph_);
  ASSERT_TRUE(sess2.run(global_variables_initializer()).ok());
  absl::StatusOr<float> error2 = ComputeGradientError(sess2, x2, value, y2);
  ASSERT_TRUE(error2.ok()) << error2.status();
  EXPECT_LT(*error2, 2e-2f);
}

}  // namespace
}  // namespace minitf
