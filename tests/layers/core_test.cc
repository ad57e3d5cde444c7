// tf.layers Dense, Dropout and Flatten: a port of TF 1.15's
// tensorflow/python/layers/core_test.py (DenseTest, DropoutTest,
// FlattenTest) and TF1_SEMANTICS.md section 2.3 cases 11, 12, 22 and 25;
// plus Dense against a naive matmul and its gradients against finite
// differences.
//
// Not ported, and why:
//  - testNoEagerLeak, testEagerExecution: no eager mode.
//  - testActivityRegularizer, testDynamicLearningPhase (a `training`
//    tensor), and Dense / Flatten on inputs with more than one unknown
//    dimension (testCallOnPlaceHolder's [None, None, 3] case,
//    testComputeShape's (None, 3, None)): pending the lead's merge.
//  - testComputeOutputShape: minitf layers have no compute_output_shape;
//    the built outputs' static shapes are checked instead.
#include "minitf/layers/core.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "minitf/minitf.h"
#include "minitf/tests/layers/layer_test_util.h"

namespace minitf {
namespace {

using layers::PythonShapeList;
using test::ExpectError;
using test::Keys;
using test::Names;
using ::testing::Each;
using ::testing::HasSubstr;

class DenseTest : public test::GraphTest {
 protected:
  Output Inputs(const Shape& shape) {
    return random_uniform(shape, {.seed = 1});
  }
};

TEST_F(DenseTest, DenseProperties) {
  layers::Dense dense({.units = 2, .activation = nn::relu, .name = "my_dense"});
  EXPECT_EQ(dense.units(), 2);
  EXPECT_TRUE(static_cast<bool>(dense.activation()));
  EXPECT_FALSE(static_cast<bool>(dense.activity_regularizer()));
  EXPECT_TRUE(dense.use_bias());
  EXPECT_EQ(dense.name(), "my_dense");

  // Auto-naming: keras' 1-based object names; the scope is 0-based.
  layers::Dense first({.units = 2, .activation = nn::relu});
  first.apply(Inputs({5, 2}));
  EXPECT_EQ(first.name(), "dense_1");
  EXPECT_EQ(first.scope_name(), "dense");
  layers::Dense second({.units = 2, .activation = nn::relu});
  second.apply(Inputs({5, 2}));
  EXPECT_EQ(second.name(), "dense_2");
  EXPECT_EQ(second.scope_name(), "dense_1");
}

TEST_F(DenseTest, VariableInput) {
  Variable v =
      get_variable("X", {.shape = {1, 1}, .initializer = zeros_initializer()});
  Output x = layers::Dense({.units = 1})(v);
  EXPECT_EQ(test::Eval(x), std::vector<float>{0.0f});
}

TEST_F(DenseTest, Call) {
  layers::Dense dense({.units = 2, .activation = nn::relu, .name = "my_dense"});
  Output outputs = dense(Inputs({5, 4}));
  EXPECT_EQ(PythonShapeList(outputs.shape()), "[5, 2]");
  const Keys both = {"my_dense/kernel:0", "my_dense/bias:0"};
  EXPECT_EQ(Names(dense.variables()), both);
  EXPECT_EQ(Names(dense.trainable_variables()), both);
  EXPECT_TRUE(dense.non_trainable_variables().empty());
  EXPECT_EQ(get_collection(GraphKeys::TRAINABLE_VARIABLES).size(), 2u);
  EXPECT_EQ(dense.kernel().name(), "my_dense/kernel:0");
  EXPECT_EQ(dense.bias().name(), "my_dense/bias:0");
  EXPECT_EQ(PythonShapeList(dense.kernel().shape()), "[4, 2]");
  // MatMul, BiasAdd, Relu under the layer's scope.
  EXPECT_EQ(outputs.op().name(), "my_dense/Relu");
  EXPECT_EQ(outputs.op().inputs()[0].op().name(), "my_dense/BiasAdd");
  EXPECT_EQ(outputs.op().inputs()[0].op().inputs()[0].op().name(),
            "my_dense/MatMul");
}

TEST_F(DenseTest, CallTensorDot) {
  layers::Dense dense({.units = 2, .activation = nn::relu, .name = "my_dense"});
  EXPECT_EQ(PythonShapeList(dense(Inputs({5, 4, 3})).shape()), "[5, 4, 2]");
}

TEST_F(DenseTest, NoBias) {
  layers::Dense dense({.units = 2, .use_bias = false, .name = "my_dense"});
  Output outputs = dense(Inputs({5, 2}));
  EXPECT_EQ(Names(dense.variables()), Keys{"my_dense/kernel:0"});
  EXPECT_EQ(Names(dense.trainable_variables()), Keys{"my_dense/kernel:0"});
  EXPECT_TRUE(dense.non_trainable_variables().empty());
  EXPECT_EQ(get_collection(GraphKeys::TRAINABLE_VARIABLES).size(), 1u);
  EXPECT_TRUE(dense.bias().is_null());
  EXPECT_EQ(outputs.op().name(), "my_dense/MatMul");
}

TEST_F(DenseTest, NonTrainable) {
  layers::Dense dense({.units = 2, .trainable = false, .name = "my_dense"});
  dense(Inputs({5, 2}));
  const Keys both = {"my_dense/kernel:0", "my_dense/bias:0"};
  EXPECT_EQ(Names(dense.variables()), both);
  EXPECT_EQ(Names(dense.non_trainable_variables()), both);
  EXPECT_TRUE(dense.trainable_variables().empty());
  EXPECT_TRUE(get_collection(GraphKeys::TRAINABLE_VARIABLES).empty());
  EXPECT_EQ(Names(get_collection(GraphKeys::GLOBAL_VARIABLES)), both);
}

TEST_F(DenseTest, OutputShape) {
  layers::Dense dense({.units = 7, .activation = nn::relu, .name = "my_dense"});
  EXPECT_EQ(PythonShapeList(dense.apply(Inputs({5, 3})).shape()), "[5, 7]");
  EXPECT_EQ(PythonShapeList(dense(Inputs({5, 2, 3})).shape()), "[5, 2, 7]");
  EXPECT_EQ(PythonShapeList(dense.apply(Inputs({1, 2, 4, 3})).shape()),
            "[1, 2, 4, 7]");
  EXPECT_EQ(global_variables().size(), 2u);
}

TEST_F(DenseTest, CallOnPlaceHolder) {
  ExpectError(
      [&] {
        layers::Dense({.units = 4, .name = "my_dense"})(placeholder(float32));
      },
      "ValueError",
      "Input 0 of layer my_dense is incompatible with the layer: its rank is "
      "undefined, but the layer requires a defined rank.");
  const std::string undefined_last =
      "The last dimension of the inputs to `Dense` should be defined. Found "
      "`None`.";
  ExpectError(
      [&] {
        layers::Dense({.units = 4, .name = "my_dense"})(
            placeholder(float32, {-1, -1}));
      },
      "ValueError", undefined_last);
  ExpectError(
      [&] {
        layers::Dense({.units = 4, .name = "my_dense"})(
            placeholder(float32, {-1, -1, -1}));
      },
      "ValueError", undefined_last);
  Output ok = layers::Dense({.units = 4, .name = "my_dense"})(
      placeholder(float32, {-1, 3}));
  EXPECT_EQ(PythonShapeList(ok.shape()), "[None, 4]");
  // A rank-1 input: min_ndim=2, with TF's doubled separator.
  ExpectError(
      [&] {
        layers::Dense({.units = 4, .name = "my_dense"})(
            placeholder(float32, {3}));
      },
      "ValueError",
      "Input 0 of layer my_dense is incompatible with the layer: : expected "
      "min_ndim=2, found ndim=1. Full shape received: [3]");
}

TEST_F(DenseTest, LaterCallsMustKeepTheLastDimension) {
  layers::Dense dense({.units = 2});
  dense(Inputs({5, 3}));
  ExpectError(
      [&] {
        dense(Inputs({5, 4}));
      },
      "ValueError",
      "Input 0 of layer dense_1 is incompatible with the layer: "
      "expected axis -1 of input shape to have value 3 but received "
      "input with shape [5, 4]");
}

TEST_F(DenseTest, Activation) {
  Output with_relu = layers::Dense(
      {.units = 2, .activation = nn::relu, .name = "dense1"})(Inputs({5, 3}));
  EXPECT_EQ(with_relu.op().name(), "dense1/Relu");
  Output plain = layers::Dense({.units = 2, .name = "dense2"})(Inputs({5, 3}));
  EXPECT_EQ(plain.op().name(), "dense2/BiasAdd");
  // Any callable is an activation.
  Output custom = layers::Dense({.units = 2,
                                 .activation = [](Output x) { return x * x; },
                                 .name = "dense3"})(Inputs({5, 3}));
  EXPECT_EQ(custom.op().name(), "dense3/mul");
}

TEST_F(DenseTest, KernelAndBiasRegularizer) {
  auto regularizer = [](Output x) { return reduce_sum(x) * constant(1e-3f); };
  for (bool on_kernel : {true, false}) {
    Graph graph;
    GraphGuard as_default(graph);
    layers::DenseOptions options{.units = 2, .name = "my_dense"};
    (on_kernel ? options.kernel_regularizer : options.bias_regularizer) =
        regularizer;
    layers::Dense dense(options);
    dense(Inputs({5, 3}));
    std::vector<CollectionItem> loss_keys =
        get_collection(GraphKeys::REGULARIZATION_LOSSES);
    ASSERT_EQ(loss_keys.size(), 1u);
    ASSERT_EQ(dense.losses().size(), 1u);
    EXPECT_EQ(loss_keys[0].output(), dense.losses()[0]);
    Output weight = on_kernel ? dense.kernel().value() : dense.bias().value();
    std::vector<Tensor> values =
        test::EvalAll({loss_keys[0].output(), reduce_sum(weight)});
    EXPECT_NEAR(values[0].scalar<float>(), 1e-3f * values[1].scalar<float>(),
                1e-6);
  }
}

TEST_F(DenseTest, KernelRegularizerWithReuse) {
  auto regularizer = [](Output x) { return reduce_sum(x) * constant(1e-3f); };
  Output inputs = Inputs({5, 3});
  layers::dense(
      inputs,
      {.units = 2, .kernel_regularizer = regularizer, .name = "my_dense"});
  EXPECT_EQ(get_collection(GraphKeys::REGULARIZATION_LOSSES).size(), 1u);
  layers::dense(inputs, {.units = 2,
                         .kernel_regularizer = regularizer,
                         .name = "my_dense",
                         .reuse = true});
  EXPECT_EQ(get_collection(GraphKeys::REGULARIZATION_LOSSES).size(), 1u);
}

TEST_F(DenseTest, FunctionalDense) {
  Output outputs = layers::dense(
      Inputs({5, 3}), {.units = 2, .activation = nn::relu, .name = "my_dense"});
  EXPECT_EQ(get_collection(GraphKeys::TRAINABLE_VARIABLES).size(), 2u);
  EXPECT_EQ(outputs.op().name(), "my_dense/Relu");
}

TEST_F(DenseTest, FunctionalDenseTwice) {
  Output inputs = Inputs({5, 3});
  layers::dense(inputs, {.units = 2});
  EXPECT_EQ(VariableStore::Default().variables().size(), 2u);
  layers::dense(inputs, {.units = 2});
  EXPECT_EQ(VariableStore::Default().variables().size(), 4u);
}

TEST_F(DenseTest, FunctionalDenseTwiceReuse) {
  Output inputs = Inputs({5, 3});
  layers::dense(inputs, {.units = 2, .name = "my_dense"});
  const Keys vars1 = Names(trainable_variables());
  layers::dense(inputs, {.units = 2, .name = "my_dense", .reuse = true});
  EXPECT_EQ(Names(trainable_variables()), vars1);
}

TEST_F(DenseTest, FunctionalDenseTwiceReuseFromScope) {
  Output inputs = Inputs({5, 3});
  Keys vars1;
  {
    variable_scope scope("scope");
    layers::dense(inputs, {.units = 2, .name = "my_dense"});
    vars1 = Names(trainable_variables());
  }
  {
    variable_scope scope("scope", {.reuse = true});
    layers::dense(inputs, {.units = 2, .name = "my_dense"});
    EXPECT_EQ(Names(trainable_variables()), vars1);
  }
}

TEST_F(DenseTest, FunctionalDenseInitializerFromScope) {
  variable_scope scope("scope", {.initializer = ones_initializer()});
  layers::dense(Inputs({5, 3}), {.units = 2});
  const std::map<std::string, Variable>& weights =
      VariableStore::Default().variables();
  ASSERT_EQ(weights.size(), 2u);
  std::vector<Tensor> values = test::EvalAll(
      {weights.at("scope/dense/kernel"), weights.at("scope/dense/bias")});
  EXPECT_EQ(values[0].shape().ToString(), Shape({3, 2}).ToString());
  EXPECT_THAT(values[0].flat<float>(), Each(1.0f));
  EXPECT_EQ(values[1].NumElements(), 2);
  EXPECT_THAT(values[1].flat<float>(), Each(0.0f));
}

// Case 12.
TEST_F(DenseTest, FunctionalDenseWithCustomGetter) {
  int called = 0;
  CustomGetter custom_getter = [&](const Getter& getter,
                                   const GetVariableArgs& args) {
    ++called;
    return getter(args);
  };
  variable_scope scope("test", {.custom_getter = custom_getter});
  layers::dense(Inputs({5, 3}), {.units = 2});
  EXPECT_EQ(called, 2);
}

// Case 11.
TEST_F(DenseTest, FunctionalDenseInScope) {
  {
    variable_scope scope("test");
    layers::dense(Inputs({5, 3}), {.units = 2, .name = "my_dense"});
    EXPECT_EQ(
        VariableStore::Default().variables().at("test/my_dense/kernel").name(),
        "test/my_dense/kernel:0");
  }
  {
    variable_scope scope("test1");
    layers::dense(Inputs({5, 3}), {.units = 2, .name = scope.scope()});
    EXPECT_EQ(VariableStore::Default().variables().at("test1/kernel").name(),
              "test1/kernel:0");
  }
  {
    variable_scope scope("test2");
    layers::dense(Inputs({5, 3}), {.units = 2});
    EXPECT_EQ(
        VariableStore::Default().variables().at("test2/dense/kernel").name(),
        "test2/dense/kernel:0");
  }
}

TEST_F(DenseTest, Constraints) {
  int kernel_calls = 0, bias_calls = 0;
  layers::Dense dense({.units = 2,
                       .kernel_constraint =
                           [&](Output x) {
                             ++kernel_calls;
                             return x / reduce_sum(x);
                           },
                       .bias_constraint =
                           [&](Output x) {
                             ++bias_calls;
                             return x / reduce_max(x);
                           }});
  dense(Inputs({5, 3}));
  dense.kernel_constraint()(dense.kernel());
  dense.kernel().constraint()(dense.kernel());
  dense.bias_constraint()(dense.bias());
  dense.bias().constraint()(dense.bias());
  EXPECT_EQ(kernel_calls, 2);
  EXPECT_EQ(bias_calls, 2);
}

// y = act(x . kernel + bias) over the last axis, against a naive loop.
std::vector<float> NaiveDense(const Tensor& x, const Tensor& kernel,
                              const Tensor& bias, bool relu) {
  const int64_t in = kernel.shape().dim(0), units = kernel.shape().dim(1);
  const int64_t rows = x.NumElements() / in;
  auto X = x.flat<float>(), K = kernel.flat<float>(), B = bias.flat<float>();
  std::vector<float> y(rows * units);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t u = 0; u < units; ++u) {
      double sum = B[u];
      for (int64_t i = 0; i < in; ++i) sum += X[r * in + i] * K[i * units + u];
      y[r * units + u] = relu ? std::max(0.0f, static_cast<float>(sum))
                              : static_cast<float>(sum);
    }
  }
  return y;
}

TEST_F(DenseTest, ValuesAndGradientsMatchANaiveMatmul) {
  for (const Shape& x_shape : {Shape{3, 4}, Shape{2, 3, 4}}) {
    for (bool relu : {false, true}) {
      Graph graph;
      GraphGuard as_default(graph);
      Output x = placeholder(float32, x_shape, "x");
      layers::Dense dense({.units = 5,
                           .activation = relu ? layers::Activation(nn::relu)
                                              : layers::Activation()});
      Output y = dense(x);
      Output kernel = dense.kernel().value(), bias = dense.bias().value();
      const Tensor xv = test::Random(x_shape, 1);
      const Tensor kv = test::Random({4, 5}, 2);
      const Tensor bv = test::Random({5}, 3);
      Session sess(graph);
      auto out = sess.run({{x, xv}, {kernel, kv}, {bias, bv}}, {y});
      ASSERT_TRUE(out.ok()) << out.status();
      std::vector<int64_t> y_dims(x_shape.dims().begin(), x_shape.dims().end());
      y_dims.back() = 5;
      EXPECT_EQ((*out)[0].shape().ToString(),
                Shape(absl::MakeConstSpan(y_dims)).ToString());
      EXPECT_THAT(test::Values<float>((*out)[0]),
                  ::testing::Pointwise(::testing::FloatNear(1e-5f),
                                       NaiveDense(xv, kv, bv, relu)));
      // relu's kink is a measure-zero set the random values avoid.
      EXPECT_LT(test::GradientError(sess, x, xv, y, {{kernel, kv}, {bias, bv}}),
                2e-3f)
          << "input " << x_shape.ToString();
      EXPECT_LT(test::GradientError(sess, kernel, kv, y, {{x, xv}, {bias, bv}}),
                2e-3f)
          << "kernel " << x_shape.ToString();
      EXPECT_LT(test::GradientError(sess, bias, bv, y, {{x, xv}, {kernel, kv}}),
                2e-3f)
          << "bias " << x_shape.ToString();
    }
  }
}

// A rank-3 input with an unknown batch: the tensordot path keeps it.
TEST_F(DenseTest, TensorDotWithUnknownBatch) {
  Output x = placeholder(float32, {-1, 2, 4}, "x");
  layers::Dense dense({.units = 3});
  Output y = dense(x);
  EXPECT_EQ(PythonShapeList(y.shape()), "[None, 2, 3]");
  const Tensor xv = test::Random({5, 2, 4}, 1);
  const Tensor kv = test::Random({4, 3}, 2);
  const Tensor bv = test::Random({3}, 3);
  Session sess(graph_);
  auto out = sess.run(
      {{x, xv}, {dense.kernel().value(), kv}, {dense.bias().value(), bv}}, {y});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape().ToString(), Shape({5, 2, 3}).ToString());
  EXPECT_THAT(test::Values<float>((*out)[0]),
              ::testing::Pointwise(::testing::FloatNear(1e-5f),
                                   NaiveDense(xv, kv, bv, false)));
}

// kernel_initializer None and no scope initializer: glorot_uniform,
// limit sqrt(6 / (fan_in + fan_out)).
TEST_F(DenseTest, DefaultKernelInitializerIsGlorotUniform) {
  layers::Dense dense({.units = 30});
  dense(placeholder(float32, {-1, 20}));
  std::vector<float> kernel = test::Eval(dense.kernel().value());
  ASSERT_EQ(kernel.size(), 600u);
  const float limit = std::sqrt(6.0f / (20 + 30));
  float largest = 0;
  for (float v : kernel) largest = std::max(largest, std::abs(v));
  EXPECT_LE(largest, limit);
  EXPECT_GT(largest, 0.8f * limit);
  EXPECT_THAT(test::Eval(dense.bias().value()), Each(0.0f));
}

// The layers compose into a model whose loss has a gradient for every
// trainable variable, and whose UPDATE_OPS run with a training step.
TEST_F(DenseTest, LayersComposeIntoATrainableModel) {
  Output images = placeholder(float32, {-1, 6, 6, 2}, "images");
  Output h = layers::conv2d(images, {.filters = 3,
                                     .kernel_size = 3,
                                     .padding = "same",
                                     .activation = nn::relu});
  h = layers::batch_normalization(h, {}, true);
  h = layers::max_pooling2d(h, {.pool_size = 2, .strides = 2});
  h = layers::flatten(h);
  const Output hidden = layers::dense(h, {.units = 4, .activation = nn::relu});
  h = layers::batch_normalization(hidden, {.momentum = 0.5f}, true);
  Output logits = layers::dense(h, {.units = 2});
  EXPECT_EQ(PythonShapeList(logits.shape()), "[None, 2]");
  Output loss = reduce_mean(logits * logits);

  const std::vector<Variable> vars = trainable_variables();
  EXPECT_EQ(
      Names(vars),
      (Keys{"conv2d/kernel:0", "conv2d/bias:0", "batch_normalization/gamma:0",
            "batch_normalization/beta:0", "dense/kernel:0", "dense/bias:0",
            "batch_normalization_1/gamma:0", "batch_normalization_1/beta:0",
            "dense_1/kernel:0", "dense_1/bias:0"}));
  std::vector<Output> xs(vars.begin(), vars.end());
  std::vector<Output> grads = gradients({loss}, xs);
  ASSERT_EQ(grads.size(), xs.size());
  for (size_t i = 0; i < grads.size(); ++i) {
    EXPECT_FALSE(grads[i].is_null()) << vars[i].name();
  }
  std::vector<Operation> update_ops;
  for (const CollectionItem& item : get_collection(GraphKeys::UPDATE_OPS)) {
    update_ops.push_back(item.op());
  }
  EXPECT_EQ(update_ops.size(), 4u);

  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  std::vector<Output> fetches = grads;
  fetches.push_back(loss);
  fetches.push_back(hidden);
  auto out =
      sess.run({{images, test::Random({4, 6, 6, 2}, 9)}}, fetches, update_ops);
  ASSERT_TRUE(out.ok()) << out.status();
  for (size_t i = 0; i < out->size(); ++i) {
    for (float v : (*out)[i].flat<float>()) {
      ASSERT_TRUE(std::isfinite(v)) << fetches[i].name();
    }
  }
  // The dense batch norm's moving mean moved halfway from 0 to the batch
  // mean of its input (momentum 0.5).
  std::vector<float> half_mean(4, 0.0f);
  const std::vector<float> hidden_values = test::Values<float>(out->back());
  for (size_t i = 0; i < hidden_values.size(); ++i) {
    half_mean[i % 4] += 0.5f * hidden_values[i] / 4;
  }
  auto moving = sess.run(
      {global_variables("batch_normalization_1/moving_mean")[0].value()});
  ASSERT_TRUE(moving.ok()) << moving.status();
  EXPECT_THAT(test::Values<float>((*moving)[0]),
              ::testing::Pointwise(::testing::FloatNear(1e-5f), half_mean));
}

// -- Dropout -----------------------------------------------------------------

class DropoutTest : public test::GraphTest {};

TEST_F(DropoutTest, DropoutProperties) {
  layers::Dropout dp({.rate = 0.5f, .name = "dropout"});
  EXPECT_EQ(dp.rate().value(), 0.5f);
  dp.apply(ones({}));
  EXPECT_EQ(dp.name(), "dropout");
}

TEST_F(DropoutTest, BooleanLearningPhase) {
  layers::Dropout dp({.rate = 0.5f, .seed = 1});
  Output inputs = ones({5, 3});
  Output dropped = dp.apply(inputs, true);
  std::vector<float> values = test::Eval(dropped);
  EXPECT_EQ(*std::min_element(values.begin(), values.end()), 0.0f);
  // Kept elements are scaled by 1 / keep_prob.
  for (float v : values) EXPECT_TRUE(v == 0.0f || v == 2.0f) << v;
  EXPECT_THAT(test::Eval(dp.apply(inputs, false)), Each(1.0f));
  // tf.layers' default is inference.
  EXPECT_THAT(test::Eval(dp.apply(inputs)), Each(1.0f));
}

TEST_F(DropoutTest, CustomNoiseShape) {
  for (const Shape& noise_shape : {Shape{5, 1, 2}, Shape{-1, 1, -1}}) {
    Graph graph;
    GraphGuard as_default(graph);
    layers::Dropout dp({.rate = 0.5f, .noise_shape = noise_shape, .seed = 1});
    std::vector<float> v = test::Eval(dp.apply(ones({5, 3, 2}), true));
    EXPECT_EQ(*std::min_element(v.begin(), v.end()), 0.0f);
    // output[:, 0, :] == output[:, 1, :] == output[:, 2, :]
    for (int n = 0; n < 5; ++n) {
      for (int c = 0; c < 2; ++c) {
        EXPECT_EQ(v[(n * 3 + 0) * 2 + c], v[(n * 3 + 1) * 2 + c]);
        EXPECT_EQ(v[(n * 3 + 0) * 2 + c], v[(n * 3 + 2) * 2 + c]);
      }
    }
  }
}

TEST_F(DropoutTest, FunctionalDropout) {
  Output inputs = ones({5, 5});
  std::vector<float> v =
      test::Eval(layers::dropout(inputs, {.rate = 0.5f, .seed = 1}, true));
  EXPECT_EQ(*std::min_element(v.begin(), v.end()), 0.0f);
  EXPECT_THAT(
      test::Eval(layers::dropout(inputs, {.rate = 0.5f, .seed = 1}, false)),
      Each(1.0f));
}

TEST_F(DropoutTest, DynamicRate) {
  Output rate = placeholder(float32, Shape{}, "rate");
  layers::Dropout dp({.rate = rate, .name = "dropout"});
  Output dropped = dp.apply(ones({5, 5}), true);
  Session sess(graph_);
  auto half = sess.run({{rate, Tensor::Scalar(0.5f)}}, {dropped});
  ASSERT_TRUE(half.ok()) << half.status();
  std::vector<float> v = test::Values<float>((*half)[0]);
  EXPECT_EQ(*std::min_element(v.begin(), v.end()), 0.0f);
  auto none = sess.run({{rate, Tensor::Scalar(0.0f)}}, {dropped});
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_THAT(test::Values<float>((*none)[0]), Each(1.0f));
}

// -- Flatten -----------------------------------------------------------------

class FlattenTest : public test::GraphTest {};

TEST_F(FlattenTest, CreateFlatten) {
  Output x = placeholder(float32, {-1, 2, 3}, "x");
  Output y = layers::Flatten()(x);
  EXPECT_EQ(PythonShapeList(y.shape()), "[None, 6]");
  Session sess(graph_);
  auto out = sess.run({{x, Tensor(float32, {3, 2, 3})}}, {y});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape().ToString(), Shape({3, 6}).ToString());

  Output x4 = placeholder(float32, {1, 2, 3, 2}, "x4");
  Output y4 = layers::Flatten()(x4);
  EXPECT_EQ(PythonShapeList(y4.shape()), "[1, 12]");
  auto out4 = sess.run({{x4, Tensor(float32, {1, 2, 3, 2})}}, {y4});
  ASSERT_TRUE(out4.ok()) << out4.status();
  EXPECT_EQ((*out4)[0].shape().ToString(), Shape({1, 12}).ToString());
}

// testDataFormat4d / testDataFormat5d: channels_first inputs flatten in
// channels-last order.
TEST_F(FlattenTest, DataFormat) {
  for (int rank : {4, 5}) {
    const std::vector<int64_t> last_dims =
        rank == 4 ? std::vector<int64_t>{1, 4, 3, 2}
                  : std::vector<int64_t>{1, 5, 4, 3, 2};
    Tensor channels_last(float32, Shape(absl::MakeConstSpan(last_dims)));
    auto cl = channels_last.flat<float>();
    for (size_t i = 0; i < cl.size(); ++i) cl[i] = static_cast<float>(i);
    // The same values transposed to [N, C, spatial...].
    std::vector<int64_t> first_dims = {1, last_dims.back()};
    first_dims.insert(first_dims.end(), last_dims.begin() + 1,
                      last_dims.end() - 1);
    Tensor channels_first(float32, Shape(absl::MakeConstSpan(first_dims)));
    const int64_t channels = last_dims.back();
    const int64_t spatial = channels_last.NumElements() / channels;
    auto cf = channels_first.flat<float>();
    for (int64_t p = 0; p < spatial; ++p) {
      for (int64_t c = 0; c < channels; ++c)
        cf[c * spatial + p] = cl[p * channels + c];
    }
    Output x_last = placeholder(float32, channels_last.shape(), "x_last");
    Output x_first = placeholder(float32, channels_first.shape(), "x_first");
    Output y_last = layers::Flatten({.data_format = "channels_last"})(x_last);
    Output y_first =
        layers::Flatten({.data_format = "channels_first"})(x_first);
    Session sess(graph_);
    auto out = sess.run({{x_last, channels_last}, {x_first, channels_first}},
                        {y_last, y_first});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(test::Values<float>((*out)[0]), test::Values<float>((*out)[1]))
        << "rank " << rank;
    EXPECT_EQ(test::Values<float>((*out)[0]),
              test::Values<float>(channels_last));
  }
}

TEST_F(FlattenTest, FunctionalFlatten) {
  Output y = layers::flatten(placeholder(float32, {-1, 2, 3}, "x"),
                             {.name = "flatten"});
  EXPECT_EQ(PythonShapeList(y.shape()), "[None, 6]");
}

TEST_F(FlattenTest, Flatten0D) {
  Output x = placeholder(float32, {-1}, "x");
  Output y = layers::Flatten()(x);
  EXPECT_EQ(PythonShapeList(y.shape()), "[None, 1]");
  Session sess(graph_);
  auto out = sess.run({{x, Tensor(float32, {5})}}, {y});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape().ToString(), Shape({5, 1}).ToString());
}

TEST_F(FlattenTest, FlattenUnknownAxes) {
  Session sess(graph_);
  for (const Shape& shape : {Shape{5, -1, -1}, Shape{5, -1, 2}}) {
    Output x = placeholder(float32, shape, "x");
    Output y = layers::Flatten()(x);
    EXPECT_EQ(PythonShapeList(y.shape()), "[5, None]");
    const Shape fed = shape.dim(2) == 2 ? Shape{5, 3, 2} : Shape{5, 2, 3};
    auto out = sess.run({{x, Tensor(float32, fed)}}, {y});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].shape().ToString(), Shape({5, 6}).ToString());
  }
}

TEST_F(FlattenTest, InvalidDataFormat) {
  ExpectError([] { layers::Flatten({.data_format = "NCHW"}); }, "ValueError",
              HasSubstr("The `data_format` argument must be one of"));
}

}  // namespace
}  // namespace minitf
