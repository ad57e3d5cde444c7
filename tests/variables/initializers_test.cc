// Initializers (TF1_SEMANTICS.md section 4): exact values of the constant
// initializers, ComputeFans, the parameters the variance-scaling family
// derives (read off the random op it builds), sample statistics in the
// manner of TF's init_ops_test.py, and seeding determinism.
//
// Not ported: uniform_unit_scaling_initializer and the orthogonal, identity
// and convolution initializers (not in minitf); tests of float16/float64
// and string dtypes; testInvalidValueTypeForConstantInitializerCausesType-
// Error (a tensor value does not compile in C++).
#include "minitf/variables/initializers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "minitf/minitf.h"
#include "minitf/tests/variables/test_util.h"

namespace minitf {
namespace {

using ::minitf::test::Eval;
using ::minitf::test::EvalAll;
using ::minitf::test::ExpectError;
using ::minitf::test::Values;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::Ge;
using ::testing::Le;
using ::testing::Lt;
using ::testing::Ne;

// The stddev of a standard normal truncated to [-2, 2].
constexpr double kTruncatedStddev = 0.87962566103423978;

// Builds `init` for `shape` in a fresh graph (with graph seed `graph_seed`)
// and returns the values a new session draws.
std::vector<float> DrawInFreshGraph(
    const Initializer& init, const Shape& shape,
    std::optional<int64_t> graph_seed = std::nullopt) {
  Graph graph;
  GraphGuard as_default(graph);
  set_random_seed(graph_seed);
  return Eval(init(shape, float32));
}

struct Moments {
  double mean = 0;
  double var = 0;  // Population variance, as np.var.
  double min = 0;
  double max = 0;
};

Moments ComputeMoments(const std::vector<float>& x) {
  Moments m;
  if (x.empty()) return m;
  m.min = m.max = x[0];
  for (float v : x) {
    m.mean += v;
    m.min = std::min<double>(m.min, v);
    m.max = std::max<double>(m.max, v);
  }
  m.mean /= x.size();
  for (float v : x) m.var += (v - m.mean) * (v - m.mean);
  m.var /= x.size();
  return m;
}

// An attribute of the op that produced `out`.
float Attr(Output out, const char* name) {
  return out.op().node()->attr<float>(name);
}

// ---------------------------------------------------------------------------
// Constant initializers (section 4.4)
// ---------------------------------------------------------------------------

class ConstantInitializersTest : public test::GraphTest {};

TEST_F(ConstantInitializersTest, ZerosInitializer) {
  Variable x =
      get_variable("x", {.shape = {2, 3}, .initializer = zeros_initializer()});
  EXPECT_EQ(x.initial_value().name(), "x/Initializer/zeros:0");
  EXPECT_EQ(x.shape().ToString(), "(2, 3)");
  EXPECT_THAT(Eval(x), ElementsAre(0, 0, 0, 0, 0, 0));
}

TEST_F(ConstantInitializersTest, OnesInitializer) {
  Variable x =
      get_variable("x", {.shape = {2, 3}, .initializer = ones_initializer()});
  EXPECT_EQ(x.initial_value().name(), "x/Initializer/ones:0");
  EXPECT_THAT(Eval(x), ElementsAre(1, 1, 1, 1, 1, 1));
}

TEST_F(ConstantInitializersTest, ConstantZeroInitializer) {
  Variable x = get_variable(
      "x", {.shape = {2, 3}, .initializer = constant_initializer(0.0)});
  EXPECT_EQ(x.initial_value().name(), "x/Initializer/Const:0");
  EXPECT_THAT(Eval(x), ElementsAre(0, 0, 0, 0, 0, 0));
}

TEST_F(ConstantInitializersTest, ConstantOneInitializer) {
  Variable x = get_variable(
      "x", {.shape = {2, 3}, .initializer = constant_initializer(1.0)});
  EXPECT_THAT(Eval(x), ElementsAre(1, 1, 1, 1, 1, 1));
}

TEST_F(ConstantInitializersTest, ConstantIntInitializer) {
  Variable x = get_variable("x", {.shape = {2, 3},
                                  .dtype = int32,
                                  .initializer = constant_initializer(7)});
  EXPECT_EQ(x.dtype(), int32);
  EXPECT_THAT(Eval<int32_t>(x), ElementsAre(7, 7, 7, 7, 7, 7));
}

TEST_F(ConstantInitializersTest, ConstantTupleInitializer) {
  Variable x =
      get_variable("x", {.shape = {3},
                         .dtype = int32,
                         .initializer = constant_initializer({10, 20, 30})});
  EXPECT_EQ(x.dtype(), int32);
  EXPECT_THAT(Eval<int32_t>(x), ElementsAre(10, 20, 30));
}

TEST_F(ConstantInitializersTest, NDimConstantInitializer) {
  Initializer init = constant_initializer({0, 1, 2, 3, 4, 5});
  Variable x = get_variable("x", {.shape = {2, 3}, .initializer = init});
  Variable y =
      get_variable("y", {.shape = {3, 2}, .dtype = int64, .initializer = init});
  std::vector<Tensor> out = EvalAll({x, y});
  // Row-major.
  EXPECT_THAT(Values<float>(out[0]), ElementsAre(0, 1, 2, 3, 4, 5));
  EXPECT_THAT(Values<int64_t>(out[1]), ElementsAre(0, 1, 2, 3, 4, 5));
}

TEST_F(ConstantInitializersTest, NDimConstantInitializerLessValues) {
  // The last value repeats.
  Variable x = get_variable(
      "x", {.shape = {2, 4},
            .initializer = constant_initializer({0, 1, 2, 3, 4, 5})});
  EXPECT_THAT(Eval(x), ElementsAre(0, 1, 2, 3, 4, 5, 5, 5));
}

TEST_F(ConstantInitializersTest, NDimConstantInitializerMoreValues) {
  Initializer init = constant_initializer({0, 1, 2, 3, 4, 5, 6, 7});
  ExpectError(
      [&] {
        get_variable("x", {.shape = {2, 3}, .initializer = init});
      },
      "ValueError",
      "Too many elements provided. Needed at most 6, but received 8");
  EXPECT_TRUE(global_variables().empty());
}

TEST_F(ConstantInitializersTest, VerifyShape) {
  Initializer init =
      constant_initializer({0, 1, 2, 3, 4, 5, 6, 7}, /*verify_shape=*/true);
  ExpectError(
      [&] {
        get_variable("x", {.shape = {3, 4}, .initializer = init});
      },
      "TypeError", "Expected Tensor's shape: (3, 4), got (8,).");
  Variable y = get_variable("y", {.shape = {8}, .initializer = init});
  EXPECT_THAT(Eval(y), ElementsAre(0, 1, 2, 3, 4, 5, 6, 7));
}

TEST_F(ConstantInitializersTest, ScalarFillsEveryDtype) {
  Output b = constant_initializer(1)({2, 2}, bool_);
  Output i = zeros_initializer()({3}, int64);
  Output f = ones_initializer()({}, float32);
  EXPECT_EQ(i.name(), "zeros:0");
  EXPECT_EQ(i.dtype(), int64);
  EXPECT_EQ(f.name(), "ones:0");
  EXPECT_EQ(f.shape().ToString(), "()");
  std::vector<Tensor> out = EvalAll({b, i, f});
  EXPECT_THAT(Values<bool>(out[0]), ElementsAre(true, true, true, true));
  EXPECT_THAT(Values<int64_t>(out[1]), ElementsAre(0, 0, 0));
  EXPECT_THAT(Values<float>(out[2]), ElementsAre(1.0f));
}

// ---------------------------------------------------------------------------
// Fans (section 4.1)
// ---------------------------------------------------------------------------

TEST(ComputeFansTest, ByRank) {
  EXPECT_EQ(ComputeFans(Shape({})), std::make_pair(1.0, 1.0));
  EXPECT_EQ(ComputeFans(Shape({5})), std::make_pair(5.0, 5.0));
  EXPECT_EQ(ComputeFans(Shape({2, 3})), std::make_pair(2.0, 3.0));
  // HWIO conv kernel: fan_in = kh*kw*in, fan_out = kh*kw*out.
  EXPECT_EQ(ComputeFans(Shape({3, 3, 4, 32})), std::make_pair(36.0, 288.0));
  EXPECT_EQ(ComputeFans(Shape({2, 3, 4, 5, 6})), std::make_pair(120.0, 144.0));
  EXPECT_EQ(ComputeFans(Shape({0, 7})), std::make_pair(0.0, 7.0));
}

// ---------------------------------------------------------------------------
// Random initializers (section 4.4; INITT's Random*InitializationTest)
// ---------------------------------------------------------------------------

// TF's identicaltest / duplicated_initializer on the three distributions.
class RandomInitializationTest : public ::testing::TestWithParam<int> {
 protected:
  // 0: normal, 1: truncated normal, 2: uniform.
  Initializer Make(std::optional<int64_t> seed) const {
    switch (GetParam()) {
      case 0:
        return random_normal_initializer(0.0f, 1.0f, seed);
      case 1:
        return truncated_normal_initializer(0.0f, 1.0f, seed);
      default:
        return random_uniform_initializer(0.0f, 1.0f, seed);
    }
  }
};

TEST_P(RandomInitializationTest, InitializerIdentical) {
  std::vector<float> t1 = DrawInFreshGraph(Make(1), {100});
  std::vector<float> t2 = DrawInFreshGraph(Make(1), {100});
  ASSERT_EQ(t1.size(), 100u);
  EXPECT_EQ(t1, t2);
}

TEST_P(RandomInitializationTest, InitializerDifferent) {
  std::vector<float> t1 = DrawInFreshGraph(Make(1), {100});
  std::vector<float> t2 = DrawInFreshGraph(Make(2), {100});
  EXPECT_NE(t1, t2);
}

TEST_P(RandomInitializationTest, DuplicatedInitializer) {
  // One initializer used twice under a graph seed: the op seeds differ.
  Graph graph;
  GraphGuard as_default(graph);
  set_random_seed(1);
  Initializer init = Make(std::nullopt);
  std::vector<Tensor> out =
      EvalAll({init({100}, float32), init({100}, float32)});
  EXPECT_NE(Values<float>(out[0]), Values<float>(out[1]));
}

TEST_P(RandomInitializationTest, InvalidDataType) {
  Graph graph;
  GraphGuard as_default(graph);
  ExpectError([&] { Make(1)({2}, int32); }, "TypeError",
              "Value passed to parameter 'dtype' has DataType int32 not in "
              "list of allowed values: bfloat16, float32");
}

std::string DistributionName(const ::testing::TestParamInfo<int>& info) {
  static const char* const kNames[] = {"RandomNormal", "TruncatedNormal",
                                       "RandomUniform"};
  return kNames[info.param];
}

INSTANTIATE_TEST_SUITE_P(Distributions, RandomInitializationTest,
                         ::testing::Values(0, 1, 2), DistributionName);

class RandomStatisticsTest : public test::GraphTest {};

TEST_F(RandomStatisticsTest, RandomNormal) {
  Variable x = get_variable(
      "x", {.shape = {200, 200},
            .initializer = random_normal_initializer(2.0f, 3.0f, 11)});
  EXPECT_EQ(x.initial_value().name(), "x/Initializer/random_normal:0");
  EXPECT_EQ(x.initial_value().op().type(), "RandomStandardNormal");
  Moments m = ComputeMoments(Eval(x));
  EXPECT_NEAR(m.mean, 2.0, 0.08);
  EXPECT_NEAR(m.var, 9.0, 0.35);
}

TEST_F(RandomStatisticsTest, TruncatedNormal) {
  Variable x = get_variable(
      "x", {.shape = {200, 200},
            .initializer = truncated_normal_initializer(1.0f, 2.0f, 11)});
  EXPECT_EQ(x.initial_value().name(), "x/Initializer/truncated_normal:0");
  EXPECT_EQ(x.initial_value().op().type(), "TruncatedNormal");
  Moments m = ComputeMoments(Eval(x));
  EXPECT_NEAR(m.mean, 1.0, 0.05);
  // Truncation at 2 stddev shrinks the variance by 0.8796^2.
  EXPECT_NEAR(m.var, 4.0 * kTruncatedStddev * kTruncatedStddev, 0.1);
  EXPECT_GE(m.min, 1.0 - 4.0);
  EXPECT_LE(m.max, 1.0 + 4.0);
}

TEST_F(RandomStatisticsTest, RandomUniform) {
  Variable x = get_variable(
      "x", {.shape = {200, 200},
            .initializer = random_uniform_initializer(-2.0f, 4.0f, 11)});
  EXPECT_EQ(x.initial_value().name(), "x/Initializer/random_uniform:0");
  EXPECT_EQ(x.initial_value().op().type(), "RandomUniform");
  Moments m = ComputeMoments(Eval(x));
  EXPECT_NEAR(m.mean, 1.0, 0.05);
  EXPECT_NEAR(m.var, 36.0 / 12.0, 0.08);
  EXPECT_GE(m.min, -2.0);
  EXPECT_LT(m.max, 4.0);
  EXPECT_LT(m.min, -1.99);
  EXPECT_GT(m.max, 3.99);
}

TEST_F(RandomStatisticsTest, RandomUniformDefaultsToZeroOne) {
  std::vector<float> x =
      Eval(random_uniform_initializer(0.0f, 1.0f, 3)({100, 100}, float32));
  std::vector<float> y =
      Eval(random_uniform_initializer()({100, 100}, float32));
  EXPECT_THAT(x, Each(Ge(0.0f)));
  EXPECT_THAT(x, Each(Lt(1.0f)));
  EXPECT_THAT(y, Each(Ge(0.0f)));
  EXPECT_THAT(y, Each(Lt(1.0f)));
  EXPECT_NEAR(ComputeMoments(x).mean, 0.5, 0.02);
}

// ---------------------------------------------------------------------------
// VarianceScaling (section 4.2; INITT's VarianceScalingInitializationTest)
// ---------------------------------------------------------------------------

class VarianceScalingInitializationTest : public test::GraphTest {
 protected:
  // TF's test: shape [100, 100], mean ~0 and variance ~1/fan_in.
  void ExpectMoments(const std::string& distribution, const char* op_type) {
    SCOPED_TRACE(distribution);
    Output x = variance_scaling_initializer(
        {.distribution = distribution, .seed = 5})({100, 100}, float32);
    EXPECT_EQ(x.op().type(), op_type);
    Moments m = ComputeMoments(Eval(x));
    EXPECT_NEAR(m.mean, 0.0, 5e-3);
    EXPECT_NEAR(m.var, 1.0 / 100, 1e-3);
  }
};

TEST_F(VarianceScalingInitializationTest, TruncatedNormalDistribution) {
  ExpectMoments("truncated_normal", "TruncatedNormal");
  Output x = variance_scaling_initializer()({100, 100}, float32);
  EXPECT_EQ(x.op().type(), "TruncatedNormal");  // The default.
  EXPECT_FLOAT_EQ(Attr(x, "stddev"), std::sqrt(0.01) / kTruncatedStddev);
  EXPECT_FLOAT_EQ(Attr(x, "mean"), 0.0f);
  Moments m = ComputeMoments(Eval(x));
  EXPECT_LE(std::max(-m.min, m.max),
            2 * std::sqrt(0.01) / kTruncatedStddev + 1e-6);
}

TEST_F(VarianceScalingInitializationTest, NormalDistribution) {
  // "normal" is the deprecated alias of truncated_normal.
  ExpectMoments("normal", "TruncatedNormal");
}

TEST_F(VarianceScalingInitializationTest, UntruncatedNormalDistribution) {
  ExpectMoments("untruncated_normal", "RandomStandardNormal");
  Output x = variance_scaling_initializer(
      {.distribution = "untruncated_normal"})({100, 100}, float32);
  EXPECT_FLOAT_EQ(Attr(x, "stddev"), 0.1f);
}

TEST_F(VarianceScalingInitializationTest, UniformDistribution) {
  ExpectMoments("uniform", "RandomUniform");
  Output x = variance_scaling_initializer({.distribution = "uniform"})(
      {100, 100}, float32);
  EXPECT_FLOAT_EQ(Attr(x, "maxval"), std::sqrt(3 * 0.01));
  EXPECT_FLOAT_EQ(Attr(x, "minval"), -std::sqrt(3 * 0.01));
}

TEST_F(VarianceScalingInitializationTest, DistributionIsLowerCased) {
  Output x = variance_scaling_initializer({.distribution = "Uniform"})({4, 4},
                                                                       float32);
  EXPECT_EQ(x.op().type(), "RandomUniform");
}

TEST_F(VarianceScalingInitializationTest, ModesAndScale) {
  // fan_in 20, fan_out 80, fan_avg 50.
  const Shape shape({20, 80});
  const auto limit = [&](const char* mode, double scale) {
    return Attr(variance_scaling_initializer(
                    {.scale = scale, .mode = mode, .distribution = "uniform"})(
                    shape, float32),
                "maxval");
  };
  EXPECT_FLOAT_EQ(limit("fan_in", 2.0), std::sqrt(3 * 2.0 / 20));
  EXPECT_FLOAT_EQ(limit("fan_out", 2.0), std::sqrt(3 * 2.0 / 80));
  EXPECT_FLOAT_EQ(limit("fan_avg", 2.0), std::sqrt(3 * 2.0 / 50));
  EXPECT_FLOAT_EQ(limit("fan_avg", 0.5), std::sqrt(3 * 0.5 / 50));
  // n is max(1, fan): a zero fan counts as 1.
  EXPECT_FLOAT_EQ(Attr(variance_scaling_initializer(
                           {.distribution = "uniform"})({0, 4}, float32),
                       "maxval"),
                  std::sqrt(3.0));
}

TEST_F(VarianceScalingInitializationTest, Errors) {
  ExpectError([] { variance_scaling_initializer({.scale = 0.0}); },
              "ValueError", "`scale` must be positive float.");
  ExpectError([] { variance_scaling_initializer({.scale = -1.0}); },
              "ValueError", "`scale` must be positive float.");
  ExpectError([] { variance_scaling_initializer({.mode = "fan_sum"}); },
              "ValueError", "Invalid `mode` argument: fan_sum");
  ExpectError(
      [] { variance_scaling_initializer({.distribution = "gaussian"}); },
      "ValueError", "Invalid `distribution` argument: gaussian");
  ExpectError(
      [] {
        variance_scaling_initializer()({2, 2}, int32);
      },
      "ValueError", "Expected floating point type, got <dtype: 'int32'>.");
  ExpectError(
      [] {
        get_variable("v", {.shape = {2, 2},
                           .dtype = int64,
                           .initializer = glorot_uniform_initializer()});
      },
      "ValueError", "Expected floating point type, got <dtype: 'int64'>.");
}

// ---------------------------------------------------------------------------
// Glorot/He/LeCun presets (section 4.3), on the worked example [3,3,4,32]:
// fan_in 36, fan_out 288.
// ---------------------------------------------------------------------------

class GlorotAndPresetsTest : public test::GraphTest {
 protected:
  const Shape kernel_{3, 3, 4, 32};
};

TEST_F(GlorotAndPresetsTest, GlorotUniform) {
  Output x = glorot_uniform_initializer()(kernel_, float32);
  EXPECT_EQ(x.op().type(), "RandomUniform");
  EXPECT_FLOAT_EQ(Attr(x, "maxval"), std::sqrt(6.0 / 324));
  EXPECT_FLOAT_EQ(Attr(x, "minval"), -std::sqrt(6.0 / 324));
  EXPECT_NEAR(Attr(x, "maxval"), 0.13608, 1e-5);
}

TEST_F(GlorotAndPresetsTest, GlorotNormal) {
  Output x = glorot_normal_initializer()(kernel_, float32);
  EXPECT_EQ(x.op().type(), "TruncatedNormal");
  EXPECT_FLOAT_EQ(Attr(x, "stddev"), std::sqrt(2.0 / 324) / kTruncatedStddev);
}

TEST_F(GlorotAndPresetsTest, HeNormalAndUniform) {
  Output normal = he_normal()(kernel_, float32);
  EXPECT_EQ(normal.op().type(), "TruncatedNormal");
  EXPECT_FLOAT_EQ(Attr(normal, "stddev"),
                  std::sqrt(2.0 / 36) / kTruncatedStddev);
  EXPECT_NEAR(Attr(normal, "stddev"), 0.26796, 1e-5);
  Output uniform = he_uniform()(kernel_, float32);
  EXPECT_EQ(uniform.op().type(), "RandomUniform");
  EXPECT_FLOAT_EQ(Attr(uniform, "maxval"), std::sqrt(6.0 / 36));
}

TEST_F(GlorotAndPresetsTest, LecunNormalAndUniform) {
  Output normal = lecun_normal()(kernel_, float32);
  EXPECT_EQ(normal.op().type(), "TruncatedNormal");
  EXPECT_FLOAT_EQ(Attr(normal, "stddev"),
                  std::sqrt(1.0 / 36) / kTruncatedStddev);
  Output uniform = lecun_uniform()(kernel_, float32);
  EXPECT_EQ(uniform.op().type(), "RandomUniform");
  EXPECT_FLOAT_EQ(Attr(uniform, "maxval"), std::sqrt(3.0 / 36));
}

TEST_F(GlorotAndPresetsTest, GlorotUniformStatistics) {
  // limit = sqrt(6 / 500): variance limit^2 / 3 = 2 / 500.
  Moments m =
      ComputeMoments(Eval(glorot_uniform_initializer(3)({200, 300}, float32)));
  const double limit = std::sqrt(6.0 / 500);
  EXPECT_NEAR(m.mean, 0.0, 1e-3);
  EXPECT_NEAR(m.var, 2.0 / 500, 1e-4);
  EXPECT_GE(m.min, -limit);
  EXPECT_LT(m.max, limit);
}

TEST_F(GlorotAndPresetsTest, HeNormalStatistics) {
  // Post-truncation variance 2 / fan_in.
  Moments m = ComputeMoments(Eval(he_normal(3)({100, 200}, float32)));
  EXPECT_NEAR(m.mean, 0.0, 5e-3);
  EXPECT_NEAR(m.var, 2.0 / 100, 1e-3);
}

// ---------------------------------------------------------------------------
// contrib.layers initializers (section 4.3, CINIT)
// ---------------------------------------------------------------------------

class ContribInitializersTest : public test::GraphTest {
 protected:
  const Shape kernel_{3, 3, 4, 32};  // fan_in 36, fan_out 288, avg 162.
};

TEST_F(ContribInitializersTest, XavierUniformIsGlorotUniform) {
  Output x = contrib::layers::xavier_initializer()(kernel_, float32);
  EXPECT_EQ(x.op().type(), "RandomUniform");
  EXPECT_FLOAT_EQ(Attr(x, "maxval"), std::sqrt(3.0 / 162));
  EXPECT_NEAR(Attr(x, "maxval"), 0.13608, 1e-5);
}

TEST_F(ContribInitializersTest, XavierNormalUsesThe13Constant) {
  Output x =
      contrib::layers::xavier_initializer(/*uniform=*/false)(kernel_, float32);
  EXPECT_EQ(x.op().type(), "TruncatedNormal");
  // sqrt(1.3 / n), not sqrt(1 / n) / 0.8796.
  EXPECT_FLOAT_EQ(Attr(x, "stddev"), std::sqrt(1.3 / 162));
  EXPECT_NEAR(Attr(x, "stddev"), 0.08958, 1e-5);
}

TEST_F(ContribInitializersTest, VarianceScalingDefaults) {
  // factor 2, FAN_IN, normal.
  Output x = contrib::layers::variance_scaling_initializer()(kernel_, float32);
  EXPECT_EQ(x.op().type(), "TruncatedNormal");
  EXPECT_FLOAT_EQ(Attr(x, "stddev"), std::sqrt(1.3 * 2.0 / 36));
}

TEST_F(ContribInitializersTest, VarianceScalingModes) {
  const auto limit = [](const Shape& shape, const char* mode) {
    return Attr(contrib::layers::variance_scaling_initializer(
                    1.0, mode, /*uniform=*/true)(shape, float32),
                "maxval");
  };
  EXPECT_FLOAT_EQ(limit(kernel_, "FAN_IN"), std::sqrt(3.0 / 36));
  EXPECT_FLOAT_EQ(limit(kernel_, "FAN_OUT"), std::sqrt(3.0 / 288));
  EXPECT_FLOAT_EQ(limit(kernel_, "FAN_AVG"), std::sqrt(3.0 / 162));
  EXPECT_FLOAT_EQ(limit(Shape({20, 80}), "FAN_IN"), std::sqrt(3.0 / 20));
  EXPECT_FLOAT_EQ(limit(Shape({20, 80}), "FAN_OUT"), std::sqrt(3.0 / 80));
  // Rank 1: both fans are shape[-1]; rank 0: both 1.
  EXPECT_FLOAT_EQ(limit(Shape({10}), "FAN_IN"), std::sqrt(3.0 / 10));
  EXPECT_FLOAT_EQ(limit(Shape({10}), "FAN_OUT"), std::sqrt(3.0 / 10));
  EXPECT_FLOAT_EQ(limit(Shape({}), "FAN_AVG"), std::sqrt(3.0));
  // No max(1, n) guard: a zero fan gives an infinite limit.
  EXPECT_EQ(limit(Shape({0, 4}), "FAN_IN"),
            std::numeric_limits<float>::infinity());
}

TEST_F(ContribInitializersTest, XavierNormalStatistics) {
  // The 1.3 constant approximately undoes the truncation: variance ~1/n.
  Moments m = ComputeMoments(
      Eval(contrib::layers::xavier_initializer(false, 9)({100, 100}, float32)));
  EXPECT_NEAR(m.mean, 0.0, 5e-3);
  EXPECT_NEAR(m.var, 1.3 / 100 * kTruncatedStddev * kTruncatedStddev, 1e-3);
  EXPECT_NEAR(m.var, 1.0 / 100, 1e-3);
}

TEST_F(ContribInitializersTest, Errors) {
  ExpectError(
      [] { contrib::layers::variance_scaling_initializer(2.0, "FAN_SUM"); },
      "TypeError", "Unknown mode FAN_SUM [FAN_IN, FAN_OUT, FAN_AVG]");
  ExpectError(
      [] { contrib::layers::variance_scaling_initializer(2.0, "fan_in"); },
      "TypeError", "Unknown mode fan_in [FAN_IN, FAN_OUT, FAN_AVG]");
  ExpectError(
      [] {
        contrib::layers::xavier_initializer()({2, 2}, int32);
      },
      "TypeError", "Cannot create initializer for non-floating point type.");
}

// ---------------------------------------------------------------------------
// Determinism under tf::set_random_seed and op seeds.
// ---------------------------------------------------------------------------

TEST(InitializerDeterminismTest, GraphSeedAndOpSeed) {
  std::vector<float> a =
      DrawInFreshGraph(glorot_uniform_initializer(7), {10, 10}, 42);
  std::vector<float> b =
      DrawInFreshGraph(glorot_uniform_initializer(7), {10, 10}, 42);
  ASSERT_EQ(a.size(), 100u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, DrawInFreshGraph(glorot_uniform_initializer(8), {10, 10}, 42));
  EXPECT_NE(a, DrawInFreshGraph(glorot_uniform_initializer(7), {10, 10}, 43));
}

TEST(InitializerDeterminismTest, OpSeedOnly) {
  EXPECT_EQ(DrawInFreshGraph(he_normal(3), {10, 10}),
            DrawInFreshGraph(he_normal(3), {10, 10}));
}

TEST(InitializerDeterminismTest, GraphSeedOnlyThroughGetVariable) {
  // The op seed comes from the graph's op count, so building the same graph
  // twice gives the same variables.
  const auto build = [] {
    Graph graph;
    GraphGuard as_default(graph);
    set_random_seed(1234);
    Variable w = get_variable("w", {.shape = {4, 5}});
    Variable k =
        get_variable("k", {.shape = {3, 3, 2, 4}, .initializer = he_normal()});
    Variable b = get_variable(
        "b", {.shape = {5}, .initializer = random_normal_initializer()});
    std::vector<Tensor> out = EvalAll({w, k, b});
    std::vector<std::vector<float>> values;
    for (const Tensor& t : out) values.push_back(Values<float>(t));
    return values;
  };
  std::vector<std::vector<float>> first = build();
  std::vector<std::vector<float>> second = build();
  EXPECT_EQ(first, second);
  // Different ops draw different values.
  EXPECT_THAT(first[0], Each(Ne(0.0f)));
  EXPECT_NE(std::vector<float>(first[0].begin(), first[0].begin() + 5),
            first[2]);
}

}  // namespace
}  // namespace minitf
