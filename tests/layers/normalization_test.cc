// tf.layers BatchNormalization: a port of TF 1.15's
// tensorflow/python/layers/normalization_test.py (BNTest) with `training`
// as a Python bool, plus exact values: the training output against the
// batch statistics, the moving averages after running UPDATE_OPS
// (moving -= (moving - batch) * (1 - momentum); the variance
// Bessel-corrected on the fused path, biased on the composite one, as in
// TF), the inference output from the moving statistics, and gradients in
// training mode w.r.t. input, gamma and beta against finite differences.
//
// Not ported, and why:
//  - `training` as a placeholder (every BNTest method feeds one): the checks
//    here run with a bool; training_flag_test.cc feeds the flag.
//  - testRenorm, virtual batches, adjustment: not in minitf.
//  - float16 inputs: minitf has float32 only.
#include "minitf/layers/normalization.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
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

class BNTest : public test::GraphTest {};

const Keys kBnVariables = {"batch_normalization/gamma:0",
                           "batch_normalization/beta:0",
                           "batch_normalization/moving_mean:0",
                           "batch_normalization/moving_variance:0"};

TEST_F(BNTest, CreateBN) {
  layers::BatchNormalization bn({.axis = 1});
  Output inputs = random_uniform({5, 4, 3}, {.seed = 1});
  Output outputs = bn.apply(inputs, true);
  EXPECT_EQ(PythonShapeList(outputs.shape()), "[5, 4, 3]");
  EXPECT_EQ(bn.updates().size(), 2u);
  EXPECT_EQ(bn.variables().size(), 4u);
  EXPECT_EQ(bn.trainable_variables().size(), 2u);
  EXPECT_EQ(bn.non_trainable_variables().size(), 2u);
  // The updates are in UPDATE_OPS, the weights in TRAINABLE_VARIABLES.
  std::vector<CollectionItem> update_ops =
      get_collection(GraphKeys::UPDATE_OPS);
  ASSERT_EQ(update_ops.size(), 2u);
  EXPECT_EQ(update_ops[0].output(), bn.updates()[0]);
  EXPECT_EQ(update_ops[1].output(), bn.updates()[1]);
  EXPECT_EQ(Names(get_collection(GraphKeys::TRAINABLE_VARIABLES)),
            Names(bn.trainable_variables()));
  // TF's names and order; the moving statistics are global, not trainable.
  EXPECT_EQ(Names(bn.variables()), kBnVariables);
  EXPECT_EQ(Names(get_collection(GraphKeys::GLOBAL_VARIABLES)), kBnVariables);
  EXPECT_EQ(
      Names(bn.trainable_variables()),
      (Keys{"batch_normalization/gamma:0", "batch_normalization/beta:0"}));
  EXPECT_EQ(PythonShapeList(bn.gamma().shape()), "[4]");
  EXPECT_EQ(bn.axis(), std::vector<int64_t>{1});
  EXPECT_EQ(bn.name(), "batch_normalization_1");
}

TEST_F(BNTest, UpdateOpNames) {
  layers::BatchNormalization bn;
  bn.apply(random_uniform({2, 3, 3, 4}, {.seed = 1}), true);
  ASSERT_EQ(bn.updates().size(), 2u);
  EXPECT_EQ(bn.updates()[0].op().name(), "batch_normalization/AssignMovingAvg");
  EXPECT_EQ(bn.updates()[1].op().name(),
            "batch_normalization/AssignMovingAvg_1");
}

// Which inputs take the fused op: 4-D with axis 1 or 3, as in TF 1.15;
// fused=True elsewhere falls back silently, as TF's V1 layers do.
TEST_F(BNTest, FusedOnlyFor4DInputsOnAxis1Or3) {
  struct Case {
    Shape shape;
    std::vector<int64_t> axis;
    std::optional<bool> fused;
    bool expected;
  };
  for (const Case& c : {Case{{2, 3, 3, 4}, {-1}, std::nullopt, true},
                        Case{{2, 3, 3, 4}, {3}, true, true},
                        Case{{2, 4, 3, 3}, {1}, std::nullopt, true},
                        Case{{2, 4, 3, 3}, {-3}, std::nullopt, true},
                        Case{{2, 4, 3, 3}, {1}, false, false},
                        Case{{2, 4, 3, 3}, {2}, true, false},
                        Case{{2, 4, 3, 3}, {1, 2}, std::nullopt, false},
                        Case{{6, 3}, {-1}, std::nullopt, false},
                        Case{{6, 3}, {-1}, true, false},
                        Case{{5, 4, 3}, {1}, std::nullopt, false},
                        Case{{2, 2, 2, 3, 2}, {-1}, std::nullopt, false}}) {
    layers::BatchNormalization bn({.axis = c.axis.size() == 1
                                               ? layers::IntTuple(c.axis[0])
                                               : layers::IntTuple(c.axis),
                                   .fused = c.fused});
    bn.apply(placeholder(float32, c.shape), true);
    EXPECT_EQ(bn.fused(), c.expected)
        << c.shape.ToString() << " axis " << c.axis[0];
  }
}

// Per-group statistics of x over every axis but the normalized ones
// (contiguous axes [first, last]): the reference.
struct Stats {
  std::vector<double> mean, variance;  // biased variance
  int64_t count = 0;                   // elements per group
  int64_t groups = 0, inner = 0;
  int64_t Group(int64_t i) const { return (i / inner) % groups; }
};

Stats BatchStats(const Tensor& x, int first, int last) {
  Stats s;
  s.groups = 1;
  s.inner = 1;
  for (int i = first; i <= last; ++i) s.groups *= x.shape().dim(i);
  for (int i = last + 1; i < x.shape().rank(); ++i) s.inner *= x.shape().dim(i);
  s.count = x.NumElements() / s.groups;
  s.mean.assign(s.groups, 0);
  s.variance.assign(s.groups, 0);
  auto X = x.flat<float>();
  for (int64_t i = 0; i < x.NumElements(); ++i) s.mean[s.Group(i)] += X[i];
  for (double& m : s.mean) m /= s.count;
  for (int64_t i = 0; i < x.NumElements(); ++i) {
    const double d = X[i] - s.mean[s.Group(i)];
    s.variance[s.Group(i)] += d * d;
  }
  for (double& v : s.variance) v /= s.count;
  return s;
}

// (x - mean) / sqrt(variance + epsilon) * gamma + beta, per group.
Tensor Normalize(const Tensor& x, const Stats& s,
                 const std::vector<double>& mean,
                 const std::vector<double>& variance,
                 const std::vector<double>& gamma,
                 const std::vector<double>& beta, double epsilon) {
  Tensor y(float32, x.shape());
  auto X = x.flat<float>();
  auto Y = y.flat<float>();
  for (int64_t i = 0; i < x.NumElements(); ++i) {
    const int64_t g = s.Group(i);
    Y[i] = static_cast<float>((X[i] - mean[g]) /
                                  std::sqrt(variance[g] + epsilon) * gamma[g] +
                              beta[g]);
  }
  return y;
}

std::vector<double> Iota(int64_t n, double start, double step) {
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = start + step * i;
  return v;
}

std::vector<float> ToFloats(const std::vector<double>& v) {
  return std::vector<float>(v.begin(), v.end());
}

// One layout: input shape and normalized axes (contiguous).
struct BnCase {
  Shape shape;
  std::vector<int64_t> axis;  // as given to the layer
  int first, last;            // resolved
  bool fused;

  std::string Name() const {
    std::string name = "shape";
    for (int64_t d : shape.dims()) absl::StrAppend(&name, "_", d);
    absl::StrAppend(&name, "_axis");
    for (int64_t a : axis)
      absl::StrAppend(&name, "_", a < 0 ? "m" : "", std::abs(a));
    return name;
  }
};

class BnValuesTest : public ::testing::TestWithParam<BnCase> {};

// Training output, two rounds of UPDATE_OPS, then the inference output from
// the moving statistics (testBooleanLearningPhase with exact values).
TEST_P(BnValuesTest, TrainingUpdatesAndInference) {
  const BnCase c = GetParam();
  Graph graph;
  GraphGuard guard(graph);
  const float momentum = 0.9f, epsilon = 1e-3f;
  const Tensor xv = test::Random(c.shape, 11, 0.0f, 4.0f);
  const Stats stats = BatchStats(xv, c.first, c.last);
  const int64_t groups = stats.groups;
  const std::vector<double> gamma = Iota(groups, 0.5, 0.25);
  const std::vector<double> beta = Iota(groups, -1.0, 0.5);
  const std::vector<double> mean0 = Iota(groups, 0.1, 0.1);
  const std::vector<double> var0 = Iota(groups, 1.0, 0.5);

  Output x = placeholder(float32, c.shape, "x");
  layers::BatchNormalization bn(
      {.axis = c.axis.size() == 1 ? layers::IntTuple(c.axis[0])
                                  : layers::IntTuple(c.axis),
       .momentum = momentum,
       .epsilon = epsilon,
       .beta_initializer = constant_initializer(beta),
       .gamma_initializer = constant_initializer(gamma),
       .moving_mean_initializer = constant_initializer(mean0),
       .moving_variance_initializer = constant_initializer(var0)});
  Output training = bn.apply(x, true);
  Output inference = bn.apply(x, false);
  EXPECT_EQ(bn.fused(), c.fused);
  EXPECT_EQ(bn.updates().size(), 2u) << "inference adds no update";
  std::vector<Operation> update_ops;
  for (const CollectionItem& item : get_collection(GraphKeys::UPDATE_OPS)) {
    update_ops.push_back(item.op());
  }
  ASSERT_EQ(update_ops.size(), 2u);

  Session sess(graph);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  // Training: the batch statistics (biased variance) normalize.
  auto trained = sess.run({{x, xv}}, {training}, update_ops);
  ASSERT_TRUE(trained.ok()) << trained.status();
  test::ExpectAllNear(
      (*trained)[0],
      Normalize(xv, stats, stats.mean, stats.variance, gamma, beta, epsilon),
      2e-4f);
  // The moving averages after one and two rounds of updates.
  const double n = static_cast<double>(stats.count);
  const double correction = c.fused ? n / (n - 1) : 1.0;
  std::vector<double> mean = mean0, var = var0;
  for (int round = 1; round <= 2; ++round) {
    if (round == 2) {
      ASSERT_TRUE(sess.run({{x, xv}}, {}, update_ops).ok());
    }
    for (int64_t g = 0; g < groups; ++g) {
      mean[g] -= (mean[g] - stats.mean[g]) * (1 - momentum);
      var[g] -= (var[g] - stats.variance[g] * correction) * (1 - momentum);
    }
    auto moving = sess.run({bn.moving_mean(), bn.moving_variance()});
    ASSERT_TRUE(moving.ok()) << moving.status();
    EXPECT_THAT(
        test::Values<float>((*moving)[0]),
        ::testing::Pointwise(::testing::FloatNear(1e-5f), ToFloats(mean)))
        << "moving_mean after round " << round;
    EXPECT_THAT(
        test::Values<float>((*moving)[1]),
        ::testing::Pointwise(::testing::FloatNear(1e-4f), ToFloats(var)))
        << "moving_variance after round " << round;
  }
  // Inference: the moving statistics normalize.
  auto inferred = sess.run({{x, xv}}, {inference});
  ASSERT_TRUE(inferred.ok()) << inferred.status();
  test::ExpectAllNear((*inferred)[0],
                      Normalize(xv, stats, mean, var, gamma, beta, epsilon),
                      2e-4f);
}

INSTANTIATE_TEST_SUITE_P(Layouts, BnValuesTest,
                         ::testing::Values(
                             // Fused: NHWC (axis 3 / -1) and NCHW (axis 1).
                             BnCase{{2, 3, 3, 4}, {-1}, 3, 3, true},
                             BnCase{{2, 4, 3, 3}, {1}, 1, 1, true},
                             // Composite: 2-D (a dense layer's output), 3-D
                             // axis 1 and 2, 4-D axis 2, 5-D, and two axes.
                             BnCase{{6, 3}, {-1}, 1, 1, false},
                             BnCase{{5, 4, 3}, {1}, 1, 1, false},
                             BnCase{{5, 4, 3}, {2}, 2, 2, false},
                             BnCase{{3, 4, 3, 2}, {2}, 2, 2, false},
                             BnCase{{2, 2, 2, 3, 2}, {-1}, 4, 4, false},
                             BnCase{{3, 2, 3, 2}, {1, 2}, 1, 2, false}),
                         [](const auto& info) { return info.param.Name(); });

class BnGradientTest : public ::testing::TestWithParam<BnCase> {};

// Training-mode gradients through the batch statistics.
TEST_P(BnGradientTest, InputGammaBeta) {
  const BnCase c = GetParam();
  Graph graph;
  GraphGuard guard(graph);
  Output x = placeholder(float32, c.shape, "x");
  layers::BatchNormalization bn({.axis = c.axis.size() == 1
                                             ? layers::IntTuple(c.axis[0])
                                             : layers::IntTuple(c.axis)});
  Output y = bn.apply(x, true);
  EXPECT_EQ(bn.fused(), c.fused);
  // Weight y so the sum does not vanish identically.
  Output loss = reduce_sum(y * constant(test::Random(c.shape, 4)));
  Output gamma = bn.gamma().value(), beta = bn.beta().value();
  const Tensor xv = test::Random(c.shape, 1);
  const Tensor gv = test::Random(gamma.shape(), 2, 0.5f, 1.5f);
  const Tensor bv = test::Random(beta.shape(), 3);
  Session sess(graph);
  EXPECT_LT(test::GradientError(sess, x, xv, loss, {{gamma, gv}, {beta, bv}}),
            2e-2f)
      << "input";
  EXPECT_LT(test::GradientError(sess, gamma, gv, loss, {{x, xv}, {beta, bv}}),
            2e-2f)
      << "gamma";
  EXPECT_LT(test::GradientError(sess, beta, bv, loss, {{x, xv}, {gamma, gv}}),
            2e-2f)
      << "beta";
}

INSTANTIATE_TEST_SUITE_P(
    Layouts, BnGradientTest,
    ::testing::Values(BnCase{{2, 3, 3, 2}, {-1}, 3, 3, true},
                      BnCase{{2, 2, 3, 3}, {1}, 1, 1, true},
                      BnCase{{6, 3}, {-1}, 1, 1, false},
                      BnCase{{4, 3, 2}, {1}, 1, 1, false}),
    [](const auto& info) { return info.param.Name(); });

// testFunctionalNoReuse / testFunctionalReuse: variables bn/*, a reused call
// adds two more updates, which move the same moving statistics.
TEST_F(BNTest, FunctionalReuse) {
  Output inputs1 = placeholder(float32, {5, 4, 3, 6}, "inputs1");
  Output inputs2 = placeholder(float32, {5, 4, 3, 6}, "inputs2");
  layers::batch_normalization(
      inputs1, {.axis = -1, .momentum = 0.9f, .epsilon = 1e-3f, .name = "bn"},
      true);
  EXPECT_EQ(Names(global_variables()),
            (Keys{"bn/gamma:0", "bn/beta:0", "bn/moving_mean:0",
                  "bn/moving_variance:0"}));
  EXPECT_EQ(get_collection(GraphKeys::UPDATE_OPS).size(), 2u);
  layers::batch_normalization(inputs2,
                              {.axis = -1,
                               .momentum = 0.9f,
                               .epsilon = 1e-3f,
                               .name = "bn",
                               .reuse = true},
                              true);
  EXPECT_EQ(global_variables().size(), 4u);
  std::vector<CollectionItem> updates = get_collection(GraphKeys::UPDATE_OPS);
  ASSERT_EQ(updates.size(), 4u);
  EXPECT_EQ(updates[2].op().name(), "bn_1/AssignMovingAvg");

  // Running the last two updates 100 times drives the moving statistics to
  // inputs2's (the fused path: Bessel-corrected variance).
  const Tensor x2 = test::Random({5, 4, 3, 6}, 5);
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(
        sess.run({{inputs2, x2}}, {}, {updates[2].op(), updates[3].op()}).ok());
  }
  const Stats stats = BatchStats(x2, 3, 3);
  const std::vector<Variable> vars = global_variables();
  auto moving = sess.run({vars[2].value(), vars[3].value()});
  ASSERT_TRUE(moving.ok()) << moving.status();
  const double n = stats.count;
  for (int64_t g = 0; g < stats.groups; ++g) {
    EXPECT_NEAR((*moving)[0].flat<float>()[g], stats.mean[g], 1e-3);
    EXPECT_NEAR((*moving)[1].flat<float>()[g], stats.variance[g] * n / (n - 1),
                1e-3);
  }
}

TEST_F(BNTest, FunctionalReuseFromScope) {
  Variable inputs(constant(test::Random({5, 4, 3, 6}, 1)), {.name = "inputs"});
  {
    variable_scope scope("scope");
    layers::batch_normalization(
        inputs, {.axis = -1, .momentum = 0.9f, .epsilon = 1e-3f}, true);
    EXPECT_EQ(global_variables().size(), 5u);
  }
  {
    variable_scope scope("scope", {.reuse = true});
    layers::batch_normalization(
        inputs, {.axis = -1, .momentum = 0.9f, .epsilon = 1e-3f}, true);
    EXPECT_EQ(global_variables().size(), 5u);
  }
  EXPECT_EQ(Names(trainable_variables("scope")),
            (Keys{"scope/batch_normalization/gamma:0",
                  "scope/batch_normalization/beta:0"}));
}

TEST_F(BNTest, NoCenterNoScale) {
  for (bool center : {false, true}) {
    Graph graph;
    GraphGuard as_default(graph);
    layers::BatchNormalization bn(
        {.axis = 1, .center = center, .scale = !center});
    Output outputs = bn.apply(random_uniform({5, 4, 3}, {.seed = 1}), true);
    EXPECT_EQ(PythonShapeList(outputs.shape()), "[5, 4, 3]");
    EXPECT_EQ(bn.updates().size(), 2u);
    EXPECT_EQ(bn.variables().size(), 3u);
    EXPECT_EQ(bn.trainable_variables().size(), 1u);
    EXPECT_EQ(bn.non_trainable_variables().size(), 2u);
    EXPECT_EQ(bn.beta().is_null(), !center);
    EXPECT_EQ(bn.gamma().is_null(), center);
  }
}

// Without gamma and beta the output is the plain normalization, fused or
// not.
TEST_F(BNTest, NoCenterNoScaleValues) {
  for (const Shape& shape : {Shape{2, 3, 3, 4}, Shape{6, 4}}) {
    Graph graph;
    GraphGuard as_default(graph);
    Output x = placeholder(float32, shape, "x");
    layers::BatchNormalization bn({.center = false, .scale = false});
    Output y = bn.apply(x, true);
    const Tensor xv = test::Random(shape, 3);
    const Stats stats = BatchStats(xv, shape.rank() - 1, shape.rank() - 1);
    Session sess(graph);
    std::vector<Tensor> out = test::InitAndRun(sess, {{x, xv}}, {y});
    test::ExpectAllNear(out[0],
                        Normalize(xv, stats, stats.mean, stats.variance,
                                  std::vector<double>(stats.groups, 1.0),
                                  std::vector<double>(stats.groups, 0.0), 1e-3),
                        2e-4f);
  }
}

// tf.layers' default is inference: the moving statistics normalize and
// no update is made.
TEST_F(BNTest, DefaultIsInference) {
  Output x = placeholder(float32, {6, 3}, "x");
  layers::BatchNormalization bn(
      {.moving_mean_initializer = constant_initializer({1, 2, 3}),
       .moving_variance_initializer = constant_initializer({4, 1, 0.25})});
  Output y = bn.apply(x);
  EXPECT_TRUE(bn.updates().empty());
  EXPECT_TRUE(get_collection(GraphKeys::UPDATE_OPS).empty());
  const Tensor xv = test::Random({6, 3}, 2);
  Session sess(graph_);
  std::vector<Tensor> out = test::InitAndRun(sess, {{x, xv}}, {y});
  const Stats stats = BatchStats(xv, 1, 1);
  test::ExpectAllNear(
      out[0],
      Normalize(xv, stats, {1, 2, 3}, {4, 1, 0.25}, {1, 1, 1}, {0, 0, 0}, 1e-3),
      1e-5f);
}

TEST_F(BNTest, NonTrainable) {
  layers::BatchNormalization bn({.trainable = false});
  bn.apply(placeholder(float32, {2, 3, 3, 4}), true);
  EXPECT_TRUE(bn.trainable_variables().empty());
  EXPECT_EQ(bn.non_trainable_variables().size(), 4u);
  EXPECT_TRUE(get_collection(GraphKeys::TRAINABLE_VARIABLES).empty());
  EXPECT_EQ(global_variables().size(), 4u);
  // Training mode still updates the moving statistics.
  EXPECT_EQ(bn.updates().size(), 2u);
}

TEST_F(BNTest, Regularizers) {
  auto reg = [](Output x) { return constant(0.1f) * reduce_sum(x); };
  layers::BatchNormalization beta_reg({.axis = 1, .beta_regularizer = reg});
  beta_reg.apply(random_uniform({5, 4, 3}, {.seed = 1}), true);
  EXPECT_EQ(beta_reg.losses().size(), 1u);
  layers::BatchNormalization gamma_reg({.axis = 1, .gamma_regularizer = reg});
  gamma_reg.apply(random_uniform({5, 4, 3}, {.seed = 1}), true);
  EXPECT_EQ(gamma_reg.losses().size(), 1u);
  EXPECT_EQ(get_collection(GraphKeys::REGULARIZATION_LOSSES).size(), 2u);
}

// Multi-axis: the parameters keep the input's rank, 1 off the axes.
TEST_F(BNTest, MultiAxisParameterShape) {
  layers::BatchNormalization bn({.axis = {1, 2}});
  bn.apply(placeholder(float32, {3, 2, 3, 2}), true);
  EXPECT_EQ(PythonShapeList(bn.gamma().shape()), "[1, 2, 3, 1]");
  EXPECT_EQ(PythonShapeList(bn.moving_mean().shape()), "[1, 2, 3, 1]");
  EXPECT_EQ(bn.axis(), (std::vector<int64_t>{1, 2}));
}

TEST_F(BNTest, InvalidAxes) {
  ExpectError(
      [] {
        layers::BatchNormalization({.axis = 4})
            .apply(placeholder(float32, {2, 3, 3, 4}), true);
      },
      "ValueError", "Invalid axis: 4");
  ExpectError(
      [] {
        layers::BatchNormalization({.axis = {1, -3}})
            .apply(placeholder(float32, {2, 3, 3, 4}), true);
      },
      "ValueError", "Duplicate axis: [1, 1]");
  ExpectError(
      [] {
        layers::BatchNormalization().apply(placeholder(float32, {2, 3, -1}),
                                           true);
      },
      "ValueError", HasSubstr("Input has undefined `axis` dimension."));
  ExpectError(
      [] { layers::BatchNormalization().apply(placeholder(float32), true); },
      "ValueError", HasSubstr("Input has undefined rank"));
}

// A later call with a different channel count fails the input spec.
TEST_F(BNTest, LaterCallsMustKeepTheAxisDimension) {
  layers::BatchNormalization bn;
  bn.apply(placeholder(float32, {2, 3, 3, 4}), true);
  ExpectError(
      [&] {
        bn.apply(placeholder(float32, {2, 3, 3, 5}), true);
      },
      "ValueError",
      "Input 0 of layer batch_normalization_1 is incompatible with "
      "the layer: expected axis 3 of input shape to have value 4 but "
      "received input with shape [2, 3, 3, 5]");
}

}  // namespace
}  // namespace minitf
