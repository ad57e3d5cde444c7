#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>

#include "minitf/minitf.h"
#include "minitf/ops/math/math_ops.h"

namespace minitf {
namespace {

using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::Eq;

// Uniform in [lo, hi), seeded.
Tensor Random(Shape shape, int seed, float lo = -1, float hi = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  Tensor t(float32, shape);
  for (float& v : t.flat<float>()) v = dist(rng);
  return t;
}

class UnaryOpsTest : public ::testing::Test {
 protected:
  Graph graph_;
  GraphGuard guard_{graph_};
};

struct UnaryCase {
  const char* type;
  Output (*op)(Output, absl::string_view);
  float (*reference)(float);
  // Inputs for the gradient check: positive where the function needs it,
  // away from 0 where the derivative jumps there.
  float lo, hi;
  // The forward check draws from [-hi, hi] unless the domain is positive.
  bool positive_domain = false;
};

std::vector<UnaryCase> FloatCases() {
  return {
      {"Neg", negative, [](float x) { return -x; }, -2, 2},
      {"Square", square, [](float x) { return x * x; }, -2, 2},
      {"Sqrt", sqrt, [](float x) { return std::sqrt(x); }, 0.5f, 3, true},
      {"Rsqrt", rsqrt, [](float x) { return 1 / std::sqrt(x); }, 0.5f, 3, true},
      {"Exp", exp, [](float x) { return std::exp(x); }, -1, 1},
      {"Log", log, [](float x) { return std::log(x); }, 0.5f, 3, true},
      {"Abs", abs, [](float x) { return std::fabs(x); }, 0.1f, 2},
      {"Sign", sign,
       [](float x) { return x > 0 ? 1.0f : (x < 0 ? -1.0f : 0.0f); }, 0.1f, 2},
  };
}

TEST_F(UnaryOpsTest, NamesAndShapesFollowTf) {
  auto x = placeholder(float32, {-1, 3}, "x");
  for (const UnaryCase& c : FloatCases()) {
    Output y = c.op(x, c.type);
    EXPECT_EQ(y.op().type(), c.type);
    EXPECT_EQ(y.name(), absl::StrCat(c.type, ":0"));
    EXPECT_EQ(y.shape().ToString(), "(?, 3)");
    EXPECT_EQ(y.dtype(), float32);
  }
  // The default names are the op types.
  EXPECT_EQ(square(x).name(), "Square_1:0");
  EXPECT_EQ(rsqrt(x).name(), "Rsqrt_1:0");
  EXPECT_EQ(sign(x, "s").name(), "s:0");
  EXPECT_EQ(exp(placeholder(float32)).shape().ToString(), "<unknown>");
}

TEST_F(UnaryOpsTest, ForwardMatchesANaiveLoop) {
  for (const UnaryCase& c : FloatCases()) {
    const Tensor xv = Random({3, 4}, 1, c.positive_domain ? c.lo : -c.hi, c.hi);
    auto x = placeholder(float32, {3, 4}, "x");
    Session sess(graph_);
    auto out = sess.run({{x, xv}}, {c.op(x, c.type)});
    ASSERT_TRUE(out.ok()) << out.status();
    auto got = (*out)[0].flat<float>();
    auto in = xv.flat<float>();
    for (int i = 0; i < 12; ++i) {
      EXPECT_FLOAT_EQ(got[i], c.reference(in[i])) << c.type << " " << in[i];
    }
  }
}

TEST_F(UnaryOpsTest, SignOfZeroAndNan) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto y = sign(constant<float>({-3, 0, 2, nan}, {4}));
  Session sess(graph_);
  auto out = sess.run({y});
  ASSERT_TRUE(out.ok()) << out.status();
  auto got = (*out)[0].flat<float>();
  EXPECT_EQ(got[0], -1);
  EXPECT_EQ(got[1], 0);
  EXPECT_EQ(got[2], 1);
  EXPECT_TRUE(std::isnan(got[3]));
}

TEST_F(UnaryOpsTest, IntegerSquareAbsSignNeg) {
  auto i32 = constant<int32_t>({-3, 0, 5}, {3});
  auto i64 = constant<int64_t>({-3000000000, 7}, {2});
  Session sess(graph_);
  auto out = sess.run({square(i32), abs(i32), sign(i32), negative(i32),
                       abs(i64), sign(i64), square(i64)});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<int32_t>(), ElementsAre(9, 0, 25));
  EXPECT_THAT((*out)[1].flat<int32_t>(), ElementsAre(3, 0, 5));
  EXPECT_THAT((*out)[2].flat<int32_t>(), ElementsAre(-1, 0, 1));
  EXPECT_THAT((*out)[3].flat<int32_t>(), ElementsAre(3, 0, -5));
  EXPECT_THAT((*out)[4].flat<int64_t>(), ElementsAre(3000000000, 7));
  EXPECT_THAT((*out)[5].flat<int64_t>(), ElementsAre(-1, 1));
  EXPECT_THAT((*out)[6].flat<int64_t>(),
              ElementsAre(int64_t{9000000000000000000}, 49));
}

TEST_F(UnaryOpsTest, UnsupportedDtypesAreRejectedWithTfMessages) {
  auto i = placeholder(int32, {2}, "i");
  try {
    sqrt(i);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "Value passed to parameter 'x' has DataType int32 not in "
                 "list of allowed values: float32");
  }
  for (auto op : {rsqrt, exp, log}) EXPECT_THROW(op(i, "f"), Error);
  auto b = placeholder(bool_, {2}, "b");
  try {
    abs(b);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "Value passed to parameter 'x' has DataType bool not in list "
                 "of allowed values: float32, int32, int64");
  }
  EXPECT_THROW(negative(b), Error);
  EXPECT_THROW(square(b), Error);
}

TEST_F(UnaryOpsTest, GradientsMatchFiniteDifferences) {
  auto x = placeholder(float32, {2, 3}, "x");
  Session sess(graph_);
  for (const UnaryCase& c : FloatCases()) {
    const Tensor xv = Random({2, 3}, 7, c.lo, c.hi);
    auto error = ComputeGradientError(sess, x, xv, c.op(x, c.type));
    ASSERT_TRUE(error.ok()) << error.status();
    EXPECT_LT(*error, 2e-3f) << c.type;
  }
  // Through a composite, with negative inputs for Abs.
  auto error = ComputeGradientError(sess, x, Random({2, 3}, 8, -1, -0.1f),
                                    exp(abs(x)) * square(x));
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_LT(*error, 2e-3f);
}

TEST_F(UnaryOpsTest, SignGradientIsZeros) {
  auto x = placeholder(float32, {3}, "x");
  auto g = gradients({sign(x) * x}, {x});
  ASSERT_FALSE(g[0].is_null());
  Session sess(graph_);
  auto out = sess.run({{x, Tensor::FromVector<float>({-2, 0.5f, 3}, {3})}},
                      {g[0], gradients({sign(x)}, {x})[0]});
  ASSERT_TRUE(out.ok()) << out.status();
  // d(sign(x) * x) = sign(x) + x * 0.
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(-1, 1, 1));
  EXPECT_THAT((*out)[1].flat<float>(), Each(Eq(0.0f)));
}

TEST_F(UnaryOpsTest, GradientOpsAreNamedUnderTheGradientScope) {
  auto x = placeholder(float32, {2}, "x");
  auto y = sqrt(x);
  auto g = gradients({y}, {x});
  EXPECT_EQ(g[0].op().name(), "gradients/Sqrt_grad/Mul");
}

}  // namespace
}  // namespace minitf
